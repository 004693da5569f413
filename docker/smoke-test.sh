#!/usr/bin/env bash
# Builds the worker image and checks it for real:
#   - metadata: user 1001, HEALTHCHECK, OCI labels, the TEMP_DIR volume, tini as the entrypoint;
#   - the tools inside: Java, Node.js 22+, the pinned Claude Code CLI;
#   - a worker container (`run`, embedded queue): PID 1 is tini, uid 1001, readiness, the
#     HEALTHCHECK, JSON logs; a job through the Fondation CLI baked in with docker/Dockerfile.fondation-cli
#     (a stand-in bundle, docker/smoke/fondation-cli, that leaves orphans behind) completes and
#     leaves no zombie — and the same job without tini does leave one, so the check is not blind;
#   - a `dev --dry-run` job, and a job through a CLI mounted as a volume;
#   - SIGTERM mid-job: exit 0 within the grace period, the job released.
# docker/ci-image.sh runs it in CI (podman as root); it runs alone too.
#
# Usage: docker/smoke-test.sh [BASE_IMAGE]
#   ENGINE=podman|docker (default: podman if installed), HEALTH_PORT (default 18081),
#   BUILD_CA_CERTS: a PEM file of extra CAs npm must trust while building (passed as EXTRA_CA_CERTS).
#   BASE_IMAGE defaults to the Dockerfile's; pass a local Debian + Java 17 image where no registry
#   is reachable. The jar must be built first: ./mvnw -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."

# The probe paths. The readiness and liveness endpoints (/health/ready, /health/live) replace these
# when the worker serves them: change them here and in the Dockerfile's HEALTHCHECK.
READY_PATH=/health
LIVE_PATH=/health

engine=${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}
port=${HEALTH_PORT:-18081}
image=fondation-worker:smoke
cli_image=fondation-worker:smoke-cli
name=fondation-worker-smoke
grace_ms=20000
jar=/opt/fondation/fondation-worker.jar
build_args=()
if [ $# -gt 0 ]; then build_args+=(--build-arg "BASE_IMAGE=$1"); fi
if [ -n "${BUILD_CA_CERTS:-}" ]; then build_args+=(--build-arg "EXTRA_CA_CERTS=$(cat "$BUILD_CA_CERTS")"); fi
claude_version=$(sed -n 's/^ARG CLAUDE_CODE_VERSION=//p' docker/Dockerfile | head -1)

fail() { echo "smoke-test: FAILED: $*" >&2; exit 1; }
trap 'echo "smoke-test: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR
step() { printf '\n--> %s\n' "$*"; }
# Polls a command (each try bounded by the engine's own call) until it succeeds, for at most N tries
# one second apart; a readiness wait, not a blind sleep.
await() {
  local tries=$1 what=$2; shift 2
  for _ in $(seq 1 "$tries"); do
    if "$@"; then return 0; fi
    sleep 1
  done
  fail "timed out waiting for $what"
}

[ -f worker/target/fondation-worker.jar ] || fail "worker/target/fondation-worker.jar is missing; run ./mvnw -q -DskipTests package"

work=$(mktemp -d)
containers=("$name" "$name-noinit")
cleanup() {
  for c in "${containers[@]}"; do "$engine" rm -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

step "build ($engine)"
pull=()
if [ "$engine" = podman ]; then pull=(--pull=never --format docker); fi  # docker format keeps HEALTHCHECK
version=$(sed -n '0,/<version>/s/.*<version>\(.*\)<\/version>.*/\1/p' pom.xml)
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
t0=$(date +%s)
"$engine" build "${pull[@]}" --network host "${build_args[@]}" \
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
  --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -f docker/Dockerfile -t "$image" . >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; fail "image build"; }
build_seconds=$(( $(date +%s) - t0 ))
size_bytes=$("$engine" image inspect "$image" --format '{{.Size}}')
echo "built in ${build_seconds} s, $(( size_bytes / 1000000 )) MB"

step "image metadata"
inspect() { "$engine" image inspect "$image" --format "$1"; }
[ "$(inspect '{{.Config.User}}')" = "1001:1001" ] || fail "image user is '$(inspect '{{.Config.User}}')', expected 1001:1001"
inspect '{{json .Config.Healthcheck}}' | grep -q "$LIVE_PATH" || fail "no HEALTHCHECK on $LIVE_PATH"
inspect '{{json .Config.Volumes}}' | grep -q '"/tmp/fondation"' || fail "TEMP_DIR (/tmp/fondation) is not a volume"
inspect '{{json .Config.Entrypoint}}' | grep -q '^\["/usr/bin/tini"' || fail "the entrypoint does not start with tini"
for label in title description version revision created licenses; do
  value=$(inspect "{{index .Config.Labels \"org.opencontainers.image.$label\"}}")
  [ -n "$value" ] && [ "$value" != "<no value>" ] || fail "OCI label org.opencontainers.image.$label is missing"
done
[ "$(inspect '{{index .Config.Labels "org.opencontainers.image.revision"}}')" = "$revision" ] || fail "the revision label is not $revision"

step "tools inside the image"
in_image() { "$engine" run --rm --network host --no-healthcheck --entrypoint "$1" "$image" "${@:2}"; }
java_version=$(in_image java -version 2>&1 | awk 'NR == 1')
node_version=$(in_image node --version)
[ "${node_version%%.*}" = v22 ] || [ "${node_version%%.*}" = v24 ] || fail "Node.js is $node_version, not a current LTS (22 or 24)"
claude=$(in_image claude --version)
case "$claude" in "$claude_version "*) ;; *) fail "claude --version says '$claude', expected $claude_version";; esac
in_image tini --version | grep '^tini version' >/dev/null || fail "no tini"
# why: the worker clones with git 2.32+ when it is on PATH (much faster than JGit), else silently with JGit
git_version=$(in_image git --version) || fail "no git in the image: the worker would clone with the slower JGit"
echo "$java_version; node $node_version; claude $claude; $git_version"

step "repositories and a Fondation CLI image built from a build context"
make_repo() {
  local dir=$1
  mkdir -p "$dir/src"
  printf '# Smoke\nA tiny repository.\n' >"$dir/README.md"
  printf 'def main():\n    return 1\n' >"$dir/src/app.py"
  if [ "${2:-}" = slow ]; then echo slow >"$dir/SLOW"; fi
  git -C "$dir" init -q
  git -C "$dir" add .
  git -C "$dir" -c user.email=smoke@example.invalid -c user.name=smoke commit -qm init
}
make_repo "$work/repos/fast"
make_repo "$work/repos/slow" slow
mkdir -p "$work/data" "$work/data-noinit"
chmod -R a+rX "$work"
chown 1001:1001 "$work/data" "$work/data-noinit" 2>/dev/null || chmod 0777 "$work/data" "$work/data-noinit"
"$engine" build "${pull[@]}" --network host --build-arg "WORKER_IMAGE=$image" \
  -f docker/Dockerfile.fondation-cli -t "$cli_image" docker/smoke/fondation-cli >"$work/build-cli.log" 2>&1 \
  || { tail -20 "$work/build-cli.log" >&2; fail "the Fondation CLI image build"; }

# A worker on the embedded queue, its database on a host directory so it outlives the container.
start_worker() {
  local container=$1 data=$2; shift 2
  "$engine" run -d --name "$container" --network host \
    -e HEALTH_PORT="$port" -e EMBEDDED_DB_PATH=/data/queue.db -e SHUTDOWN_GRACE="$grace_ms" \
    -e POLL_INTERVAL=200 -e ANALYZER_ALLOW_UNCONFINED=true -v "$data:/data" -v "$work/repos:/repos:ro" "$@" >/dev/null
}
worker_cli() { "$engine" exec "$1" java -jar "$jar" "${@:2}"; }
job_status() { worker_cli "$1" status "$2" --json 2>/dev/null | grep -o '"status" *: *"[a-z]*"' | grep -o '"[a-z]*"$' | tr -d '"'; }
status_is() { [ "$(job_status "$1" "$2")" = "$3" ]; }
await_status() { await 90 "job $2 to be $3" status_is "$@"; }
# The container's processes as "state comm ppid"; zombies; and whether the CLI's orphan (a shell
# re-parented to PID 1) still runs. `exec`'d commands have parent 0, so they never count.
proc_states() { "$engine" exec "$1" sh -c 'cat /proc/[0-9]*/stat 2>/dev/null' | awk '{ print $3, $2, $4 }'; }
zombies() { proc_states "$1" | awk '$1 == "Z"' | wc -l; }
orphans_gone() { ! proc_states "$1" | awk '$1 != "Z" && $3 == 1 && ($2 == "(sh)" || $2 == "(sleep)")' | grep -q .; }

step "run: a worker container, health on port $port"
start_worker "$name" "$work/data" "$cli_image"
await 90 "$READY_PATH to answer" curl -fsS -o "$work/ready.json" "http://127.0.0.1:$port$READY_PATH"
grep -q '"status":"healthy"' "$work/ready.json" || fail "$READY_PATH did not answer healthy: $(cat "$work/ready.json")"
[ "$("$engine" exec "$name" id -u)" = 1001 ] || fail "the worker does not run as uid 1001"
[ "$("$engine" exec "$name" cat /proc/1/comm)" = tini ] || fail "PID 1 is not tini"
if [ "$engine" = podman ]; then podman healthcheck run "$name" >/dev/null 2>&1 || fail "HEALTHCHECK failed"; fi
"$engine" logs "$name" >"$work/worker.log" 2>&1
[ -s "$work/worker.log" ] || fail "the worker logged nothing"
"$engine" exec -i "$name" node -e '
  const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
  for (const line of lines) {
    const o = JSON.parse(line);
    for (const f of ["time", "level", "logger", "message"]) if (!(f in o)) throw new Error("no " + f + ": " + line);
  }
  console.log(lines.length + " log lines, all JSON");' <"$work/worker.log" || fail "the worker's log lines are not JSON objects"

step "a job through the Fondation CLI: completed, no zombie left"
id=$(worker_cli "$name" submit /repos/fast 2>/dev/null)
await_status "$name" "$id" completed
await 30 "the CLI's orphans to exit" orphans_gone "$name"
z=$(zombies "$name")
[ "$z" = 0 ] || { proc_states "$name" >&2; fail "$z zombie process(es) after the job"; }
echo "job $id completed; no zombie"

step "the same without tini (control: the zombie check must see one)"
start_worker "$name-noinit" "$work/data-noinit" -e HEALTH_PORT=-1 --entrypoint java "$cli_image" -jar "$jar" run
id2=$(worker_cli "$name-noinit" submit /repos/fast 2>/dev/null)
await_status "$name-noinit" "$id2" completed
await 30 "the CLI's orphans to exit" orphans_gone "$name-noinit"
z=$(zombies "$name-noinit")
[ "$z" -gt 0 ] || fail "no zombie without tini either: the zombie check proves nothing"
"$engine" rm -f "$name-noinit" >/dev/null
echo "without tini: $z zombie(s), as expected"

step "the sandbox: used where the engine allows it, else a refusal at start naming the escape"
# why: the workers above run with ANALYZER_ALLOW_UNCONFINED=true, since a CI engine's default profiles give the
# sandbox no user namespaces; the zombie check needs the analyzer's orphans to reach tini, not bubblewrap's init.
if "$engine" run --rm --network host --no-healthcheck -v "$work/repos:/repos:ro" "$image" \
    dev --dry-run /repos/fast --out /tmp/out --health-port -1 >"$work/sandbox.log" 2>&1; then
  # why: without ANALYZER_ALLOW_UNCONFINED, a worker starts only when its sandbox works
  echo "the engine gives the sandbox its namespaces: the job ran in it"
else
  grep -q 'ANALYZER_ALLOW_UNCONFINED: the dry-run analyzer runs only in a sandbox' "$work/sandbox.log" \
    || fail "the worker did not say why it refused to start: $(tail -5 "$work/sandbox.log")"
  echo "no sandbox in this engine: the worker refused to start and named ANALYZER_ALLOW_UNCONFINED"
fi

step "the sandbox with compose.yaml's security options: the job runs confined"
# why: compose.yaml gives the container these three options so that every analyzer runs in its bubblewrap
# sandbox; without ANALYZER_ALLOW_UNCONFINED the worker starts only when that sandbox works, so success proves it.
"$engine" run --rm --network host --no-healthcheck \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined \
    -v "$work/repos:/repos:ro" "$image" dev --dry-run /repos/fast --out /tmp/out --health-port -1 \
    >"$work/sandboxed.log" 2>&1 || fail "the sandbox did not work with compose.yaml's options: $(tail -5 "$work/sandboxed.log")"
grep -q 'Done: 1 job completed.' "$work/sandboxed.log" || fail "the sandboxed job did not complete: $(tail -5 "$work/sandboxed.log")"
echo "with seccomp, apparmor and systempaths unconfined, the analyzer ran in its sandbox"

step "a dry-run job (dev --dry-run) and a CLI mounted as a volume"
"$engine" run --rm --network host --no-healthcheck -e ANALYZER_ALLOW_UNCONFINED=true -v "$work/repos:/repos:ro" "$image" \
  dev --dry-run /repos/fast --out /tmp/out --health-port -1 >"$work/dev.log" 2>&1 \
  || { cat "$work/dev.log" >&2; fail "dev --dry-run in the container"; }
grep -q 'Done: 1 job completed.' "$work/dev.log" || fail "the dry-run job did not complete: $(tail -5 "$work/dev.log")"
grep -q 'Révision' "$work/dev.log" || fail "progress text is not UTF-8"
"$engine" run --rm --network host --no-healthcheck -e ANALYZER_ALLOW_UNCONFINED=true -v "$work/repos:/repos:ro" \
  -v "$PWD/docker/smoke/fondation-cli:/opt/fondation-cli:ro" -e CLI_PATH=/opt/fondation-cli/dist/cli.bundled.mjs \
  "$image" dev /repos/fast --out /tmp/out --health-port -1 >"$work/dev-cli.log" 2>&1 \
  || { cat "$work/dev-cli.log" >&2; fail "dev with the CLI mounted as a volume"; }
grep -q 'Done: 1 job completed.' "$work/dev-cli.log" || fail "the mounted-CLI job did not complete"

step "SIGTERM mid-job: exit 0 within SHUTDOWN_GRACE, the job released"
slow=$(worker_cli "$name" submit /repos/slow 2>/dev/null)
await_status "$name" "$slow" analyzing
t0=$(date +%s%N)
"$engine" kill --signal TERM "$name" >/dev/null
code=$(timeout $(( grace_ms / 1000 + 30 )) "$engine" wait "$name") || fail "the worker did not stop after SIGTERM"
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$code" = 0 ] || { "$engine" logs --tail 20 "$name" >&2; fail "exit code $code after SIGTERM"; }
[ "$elapsed_ms" -lt "$grace_ms" ] || fail "stopping took ${elapsed_ms} ms, more than SHUTDOWN_GRACE (${grace_ms} ms)"
after=$("$engine" run --rm --no-healthcheck -v "$work/data:/data" -e EMBEDDED_DB_PATH=/data/queue.db "$image" status "$slow" --json 2>/dev/null \
  | grep -o '"status" *: *"[a-z]*"' | grep -o '"[a-z]*"$' | tr -d '"')
[ "$after" = pending ] || fail "the interrupted job is '$after', not released to pending"
echo "stopped in ${elapsed_ms} ms with exit code 0; job $slow is pending again"

echo
echo "smoke-test: OK — image $image: $(( size_bytes / 1000000 )) MB, built in ${build_seconds} s; $java_version; node $node_version; claude $claude"
