/**
 * Measures mutation latency of the local test server over loopback (a benchmark: it prints
 * figures and asserts nothing).
 *
 *   npm run bench-server            (node + tsx; starts its own server process)
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SECRET = "bench-secret";
const SEQUENTIAL = 500;
const CONCURRENT_CLIENTS = 16;
const CONCURRENT_CALLS = 2_000;

async function main() {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "test-server/server.ts", "--functions", "hardened", "--port", "0"], {
    cwd: ROOT,
    env: { ...process.env, FONDATION_WORKER_SECRET: SECRET },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const port: number = await new Promise((resolve) =>
    createInterface({ input: child.stdout! }).once("line", (line) => resolve(JSON.parse(line).listening)),
  );
  const coldStartMs = performance.now() - startedAt;
  const url = `http://127.0.0.1:${port}/api/mutation`;
  const mutate = async (path: string, args: Record<string, unknown>) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ path, args: { ...args, workerSecret: SECRET }, format: "convex_encoded_json" }),
    });
    const body = await response.json();
    if (body.status !== "success") throw new Error(`${path}: ${JSON.stringify(body)}`);
    return body.value;
  };

  const jobId = await mutate("queue:enqueue", { source: { url: "https://example.test/r.git" }, prompt: "p" });
  const lease = await mutate("queue:claimOne", { workerId: "bench" });
  const heartbeat = () => mutate("queue:heartbeat", { jobId, workerId: "bench", leaseToken: lease.leaseToken, progress: "p" });
  for (let i = 0; i < 50; i++) await heartbeat(); // warm-up (module loading, JIT)

  const samples: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t0 = performance.now();
    await heartbeat();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))].toFixed(2);

  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENT_CLIENTS }, async () => {
      while (next++ < CONCURRENT_CALLS) await heartbeat();
    }),
  );
  const seconds = (performance.now() - t0) / 1000;

  console.log(`cold start (spawn to port line): ${coldStartMs.toFixed(0)} ms`);
  console.log(
    `sequential heartbeat mutation over loopback (${SEQUENTIAL} calls): p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, mean ${(samples.reduce((a, b) => a + b, 0) / samples.length).toFixed(2)} ms`,
  );
  console.log(`${CONCURRENT_CLIENTS} concurrent clients: ${(CONCURRENT_CALLS / seconds).toFixed(0)} mutations/s`);
  child.stdin!.end();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
