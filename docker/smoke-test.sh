#!/usr/bin/env bash
# Builds the worker image and checks it for real: non-root user, HEALTHCHECK, /health, a dry-run
# job processed inside the container, and a clean stop on SIGTERM. Not part of CI (it needs a
# container engine); run it after changing docker/ or the jar's start-up.
#
# Usage: docker/smoke-test.sh [BASE_IMAGE]
#   ENGINE=podman|docker (default: podman if installed), HEALTH_PORT (default 18081).
#   BASE_IMAGE defaults to the Dockerfile's; pass a local Debian + Java 17 image where no registry
#   is reachable. The jar must be built first: ./mvnw -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."

engine=${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}
port=${HEALTH_PORT:-18081}
image=fondation-worker:smoke
name=fondation-worker-smoke
build_args=()
if [ $# -gt 0 ]; then build_args+=(--build-arg "BASE_IMAGE=$1"); fi

fail() { echo "smoke-test: FAILED: $*" >&2; exit 1; }
step() { printf '\n--> %s\n' "$*"; }

[ -f worker/target/fondation-worker.jar ] || fail "worker/target/fondation-worker.jar is missing; run ./mvnw -q -DskipTests package"

work=$(mktemp -d)
cleanup() { "$engine" rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

step "build ($engine)"
pull=()
if [ "$engine" = podman ]; then pull=(--pull=never --format docker); fi  # docker format keeps HEALTHCHECK
"$engine" build "${pull[@]}" --network host "${build_args[@]}" -f docker/Dockerfile -t "$image" . >"$work/build.log" 2>&1 \
  || { tail -20 "$work/build.log" >&2; fail "image build"; }

step "image metadata"
user=$("$engine" image inspect "$image" --format '{{.Config.User}}')
[ "$user" = "1001:1001" ] || fail "image user is '$user', expected 1001:1001"
"$engine" image inspect "$image" --format '{{json .Config.Healthcheck}}' | grep -q '/health' || fail "no HEALTHCHECK on /health"

step "run: worker on the embedded queue, health on port $port"
"$engine" run -d --name "$name" --network host -e HEALTH_PORT="$port" -e ANALYZER=dry-run \
  -e EMBEDDED_DB_PATH=/tmp/fondation/queue.db "$image" >/dev/null
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/health" >"$work/health.json" 2>/dev/null && break
  sleep 1
done
grep -q '"status":"healthy"' "$work/health.json" || fail "/health did not answer healthy: $(cat "$work/health.json" 2>/dev/null)"
[ "$("$engine" exec "$name" id -u)" = 1001 ] || fail "the worker does not run as uid 1001"
if [ "$engine" = podman ]; then podman healthcheck run "$name" >/dev/null 2>&1 || fail "HEALTHCHECK failed"; fi

step "a dry-run job inside the container"
repo="$work/repo"
mkdir -p "$repo/src"
printf '# Smoke\nA tiny repository.\n' >"$repo/README.md"
printf 'def main():\n    return 1\n' >"$repo/src/app.py"
git -C "$repo" init -q
git -C "$repo" add .
git -C "$repo" -c user.email=smoke@example.invalid -c user.name=smoke commit -qm init
chmod -R a+rX "$work"
"$engine" run --rm --network host -v "$repo:/repo:ro" --entrypoint java "$image" \
  -jar /opt/fondation/fondation-worker.jar dev --dry-run /repo --out /tmp/out --health-port -1 >"$work/dev.log" 2>&1 \
  || { cat "$work/dev.log" >&2; fail "dev --dry-run in the container"; }
grep -q 'Done: 1 job completed.' "$work/dev.log" || fail "the job did not complete"
grep -q 'Révision' "$work/dev.log" || fail "progress text is not UTF-8"

step "stop (SIGTERM)"
"$engine" stop -t 40 "$name" >/dev/null
code=$("$engine" inspect "$name" --format '{{.State.ExitCode}}')
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"

echo
echo "smoke-test: OK ($("$engine" image inspect "$image" --format '{{.Size}}') bytes)"
