#!/usr/bin/env bash
# Renders docs/grafana/fondation-worker.png: the panels of docs/grafana/fondation-worker.json filled by a
# real run, on a machine without Grafana. Everything listens on 127.0.0.1 only.
#
#   1. makes three small git repositories from this repository's own modules;
#   2. starts a Prometheus server (Debian's `prometheus` package) scraping two workers every 2 s;
#   3. runs two workers on one embedded queue with the dry-run analyzer: `run` (worker-a, 2 slots) and
#      `dev` (worker-b, 1 slot), which also submits JOBS jobs; submits a few jobs on a branch that does
#      not exist (they fail at once), cancels a few pending ones, and stops worker-a with SIGTERM mid-run
#      (its jobs are released) before starting it again;
#   4. once every job has ended, draws each panel from Prometheus's HTTP API (render_panels.py,
#      python3-matplotlib) and writes the last scrape of worker-a next to the picture.
#
# Needs: a built jar (./mvnw -q -DskipTests package), java, git, curl, prometheus, python3-matplotlib
# (`apt-get install prometheus python3-matplotlib`). Takes a few minutes. JOBS=300 by default; JAR=path
# for a jar built elsewhere.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=docs/grafana
jar=${JAR:-worker/target/fondation-worker.jar}
jobs=${JOBS:-300}
prometheus_port=${PROMETHEUS_PORT:-19090}
port_a=${WORKER_A_PORT:-18081}
port_b=${WORKER_B_PORT:-18082}

for tool in java git curl prometheus python3; do
  command -v "$tool" >/dev/null || { echo "render-picture: $tool is missing" >&2; exit 1; }
done
python3 -c 'import matplotlib' 2>/dev/null || { echo "render-picture: python3-matplotlib is missing" >&2; exit 1; }
[ -f "$jar" ] || { echo "render-picture: build the jar first: ./mvnw -q -DskipTests package" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

worker() { # worker NAME PORT ARGS... : a worker process on the shared queue, logging to $work/NAME.log
  local name=$1 port=$2
  shift 2
  WORKER_ID=$name HEALTH_HOST=127.0.0.1 TEMP_DIR="$work/tmp-$name" LOG_FORMAT=json \
    java -jar "$jar" "$@" --db "$work/queue.db" --health-port "$port" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  echo $! >"$work/$name.pid"
}

await_ready() { # await_ready PORT: until the worker's readiness probe answers 200 (at most 60 s)
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$1/health/ready" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "render-picture: the worker on port $1 did not get ready" >&2
  exit 1
}

echo "==> repositories"
for module in shared cli-bridge engine/src/main/java/io/fondation/engine/runtime; do
  repo="$work/repos/$(basename "$module")"
  mkdir -p "$repo"
  git archive HEAD "$module" | tar -x -C "$repo"
  git -C "$repo" init -q -b main
  git -C "$repo" add -A
  git -C "$repo" -c user.name=render -c user.email=render@example.invalid commit -q -m "snapshot of $module"
done
repos=("$work"/repos/*)

echo "==> prometheus on 127.0.0.1:$prometheus_port"
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  evaluation_interval: 2s
scrape_configs:
  - job_name: fondation-worker
    metrics_path: /metrics/prometheus
    static_configs:
      - targets: ["127.0.0.1:$port_a", "127.0.0.1:$port_b"]
EOF
promtool check config "$work/prometheus.yml" >/dev/null
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)

start=$(date +%s)
echo "==> worker-a (run, 2 slots) on $port_a"
MAX_CONCURRENT_JOBS=2 worker worker-a "$port_a" run --dry-run
await_ready "$port_a"

echo "==> worker-b (dev, 1 slot) on $port_b, submitting $jobs jobs"
args=()
for i in $(seq 1 "$jobs"); do args+=("${repos[$((i % ${#repos[@]}))]}"); done
MAX_CONCURRENT_JOBS=1 worker worker-b "$port_b" dev --dry-run --out "$work/out" "${args[@]}"
await_ready "$port_b"

echo "==> 8 jobs on a branch that does not exist (they fail at once), 8 pending jobs canceled"
for i in $(seq 1 8); do
  java -jar "$jar" submit "${repos[0]}" --branch no-such-branch --db "$work/queue.db" >/dev/null
done
sleep 5
for id in $(grep -o 'job id [0-9a-f-]*' "$work/worker-b.out" | awk '{print $3}' | tail -n 8); do
  java -jar "$jar" cancel "$id" --db "$work/queue.db" >/dev/null || true
done

echo "==> SIGTERM to worker-a mid-run (its jobs are released), restarted 20 s later"
sleep 60
kill -TERM "$(cat "$work/worker-a.pid")"
wait "$(cat "$work/worker-a.pid")" || true
sleep 20
MAX_CONCURRENT_JOBS=2 worker worker-a "$port_a" run --dry-run
await_ready "$port_a"

echo "==> waiting for every job to end"
wait "$(cat "$work/worker-b.pid")" || true
sleep 20
curl -fsS "http://127.0.0.1:$port_a/metrics/prometheus" >"$here/sample-scrape.txt"
echo "    last scrape of worker-a: $(wc -c <"$here/sample-scrape.txt") bytes"
end=$(date +%s)

echo "==> drawing the panels ($(( (end - start) / 60 )) min of data)"
python3 "$here/render_panels.py" "$here/fondation-worker.json" "http://127.0.0.1:$prometheus_port" \
  "$start" "$end" "$here/fondation-worker.png" 20s 5
