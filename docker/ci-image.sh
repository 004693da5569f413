#!/usr/bin/env bash
# Builds the worker image and smoke-tests it, on a Debian machine as root (what CI is), with podman.
# .ci/run calls it after the Maven build; it also runs alone (it builds the jar when it is missing):
#
#   docker/ci-image.sh
#
# 0. lints the Dockerfiles (dockerfile-utils, from npm) and the systemd unit (systemd-analyze verify);
# 1. installs podman, runc and debootstrap when podman is missing (a missing engine afterwards is a
#    failure, never a skip);
# 2. runs podman with its own containers.conf (runc, not crun, which refuses hybrid cgroups; ulimits
#    root may set without CAP_SYS_RESOURCE; cgroupfs; file events) through CONTAINERS_CONF, so the
#    machine's own podman settings are left alone;
# 3. builds a local Debian + Java 17 base with debootstrap when it does not exist yet (no registry
#    is reachable to pull eclipse-temurin), from the mirror apt already uses;
# 4. runs docker/smoke-test.sh against that base.
#
# Environment: BASE_IMAGE (skip 3 and use this one), BASE_SUITE (default bookworm: it has
# openjdk-17), FONDATION_CI_CONTAINERS_CONF=0 (use the machine's podman configuration as it is).
# The CAs in /usr/local/share/ca-certificates (a TLS-intercepting proxy's) are passed to the build's
# npm as BUILD_CA_CERTS; nothing of them ends up in the image.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> ci-image: %s\n' "$*"; }
fail() { echo "ci-image: FAILED: $*" >&2; exit 1; }
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
started=$(date +%s)
DOCKERFILE_UTILS_VERSION=0.16.3
temporary=()
trap 'rm -rf "${temporary[@]}"' EXIT

# ---- 0. lint ----
log "lint: Dockerfiles, systemd unit"
for dockerfile in docker/Dockerfile docker/Dockerfile.fondation-cli; do
  npx --yes "dockerfile-utils@$DOCKERFILE_UTILS_VERSION" lint "$dockerfile" || fail "dockerfile-utils lint $dockerfile"
done
if command -v systemd-analyze >/dev/null 2>&1; then
  # why: verify checks that ExecStart's program exists; the unit names the installed launcher
  # (/opt/fondation/bin/fondation-worker), so the copy verified here names the one `package` built in this checkout
  launcher="$PWD/worker/target/fondation-worker/bin/fondation-worker"
  [ -x "$launcher" ] || fail "no launcher at $launcher: run ./mvnw -DskipTests package first"
  unit_dir=$(mktemp -d)
  temporary+=("$unit_dir")
  sed "s#/opt/fondation/bin/fondation-worker#$launcher#" docker/systemd/fondation-worker.service \
    > "$unit_dir/fondation-worker.service"
  systemd-analyze verify "$unit_dir/fondation-worker.service" \
    || fail "systemd-analyze verify docker/systemd/fondation-worker.service"
else
  echo "ci-image: no systemd-analyze here; the systemd unit is checked by DeploymentFilesTest only"
fi

# ---- 1. the engine ----
need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v git >/dev/null 2>&1 || need+=(git)
if [ -z "${BASE_IMAGE:-}" ]; then command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap); fi
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v podman >/dev/null 2>&1 || fail "no container engine: podman is still missing after the install attempt"
command -v runc >/dev/null 2>&1 || fail "runc is missing after the install attempt"

if [ "${FONDATION_CI_CONTAINERS_CONF:-1}" != 0 ]; then
  conf_dir=$(mktemp -d)
  temporary+=("$conf_dir")
  cat >"$conf_dir/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  export CONTAINERS_CONF="$conf_dir/containers.conf"
fi
log "engine: $(podman --version), $(runc --version | head -1)"
podman info >/dev/null || fail "podman cannot run here (podman info failed)"

# ---- 2. the jar ----
if [ ! -f worker/target/fondation-worker.jar ]; then
  log "building the jar"
  ./mvnw -q -B -ntp -DskipTests package
fi

# ---- 3. the base image ----
if [ -z "${BASE_IMAGE:-}" ]; then
  suite=${BASE_SUITE:-bookworm}
  BASE_IMAGE="localhost/fondation-base-jre:$suite"
  if podman image exists "$BASE_IMAGE"; then
    log "base $BASE_IMAGE exists"
  else
    mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 | awk '{print $1}')
    if [ -z "$mirror" ]; then
      mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    fi
    [ -n "$mirror" ] || fail "cannot tell which Debian mirror apt uses (no URIs in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list)"
    rootfs=$(mktemp -d)
    log "building base $BASE_IMAGE with debootstrap ($suite)"
    t0=$(date +%s)
    $SUDO debootstrap --variant=minbase --include=openjdk-17-jre-headless,curl,ca-certificates \
      "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; fail "debootstrap"; }
    $SUDO rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    $SUDO tar -C "$rootfs" -c . | podman import --message "debootstrap $suite + openjdk-17-jre-headless" - "$BASE_IMAGE" >/dev/null
    $SUDO rm -rf "$rootfs" "$rootfs.log"
    log "base built in $(( $(date +%s) - t0 )) s"
  fi
fi

# ---- 4. build and smoke-test ----
# CAs this machine trusts beyond Debian's (a TLS-intercepting proxy's): npm inside the build needs them.
extra_cas=$(find /usr/local/share/ca-certificates -name '*.crt' -type f 2>/dev/null | sort)
if [ -n "$extra_cas" ] && [ -z "${BUILD_CA_CERTS:-}" ]; then
  BUILD_CA_CERTS=$(mktemp)
  temporary+=("$BUILD_CA_CERTS")
  # shellcheck disable=SC2086
  cat $extra_cas >"$BUILD_CA_CERTS"
  export BUILD_CA_CERTS
  log "passing the machine's $(echo "$extra_cas" | wc -l) extra CA certificate(s) to the build"
fi
docker/smoke-test.sh "$BASE_IMAGE"
log "done in $(( $(date +%s) - started )) s"
