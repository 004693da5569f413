/**
 * Measures mutation latency of the local test server over loopback, what a fair claim costs with
 * 100,000 pending jobs of 1,000 users, and what the depth route (GET /queue/depth) reads with those jobs
 * (a benchmark: it prints figures and asserts nothing).
 *
 *   npm run bench-server                    (node + tsx; starts its own server process)
 *   npm run bench-server -- --claims-only   (the claims and depth sections alone)
 *   npm run bench-server -- --depth-only    (the depth section alone)
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SECRET = "bench-secret";
/** The depth route's token (FONDATION_DEPTH_TOKEN): a token of its own, never the worker secret. */
const DEPTH_TOKEN = "bench-depth-token";
const SEQUENTIAL = 500;
const CONCURRENT_CLIENTS = 16;
const CONCURRENT_CALLS = 2_000;
const PENDING_JOBS = 100_000;
const USERS = 1_000;
const SEED_BATCH = 5_000;
const MEASURED_CLAIMS = 100;

async function main() {
  const startedAt = performance.now();
  const depthOnly = process.argv.includes("--depth-only");
  const claimsOnly = depthOnly || process.argv.includes("--claims-only");
  // --transaction-limits: a function that reads more than Convex allows in one transaction fails, as on a deployment.
  const child = spawn(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "test-server/server.ts", "--functions", "hardened", "--port", "0", "--transaction-limits"], {
    cwd: ROOT,
    env: { ...process.env, FONDATION_WORKER_SECRET: SECRET, FONDATION_DEPTH_TOKEN: DEPTH_TOKEN },
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
  const testRoute = async (route: string, body: Record<string, unknown>) => {
    const response = await fetch(`http://127.0.0.1:${port}${route}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
    return await response.json();
  };

  const getDepth = async (query: string) => {
    const t0 = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/queue/depth${query}`, { headers: { "X-Fondation-Depth-Token": DEPTH_TOKEN } });
    if (!response.ok) throw new Error(`/queue/depth${query}: ${response.status} ${await response.text()}`);
    return { body: await response.json(), ms: performance.now() - t0 };
  };

  if (!claimsOnly) await mutationLatency(mutate, coldStartMs);
  if (!depthOnly) await fairClaims(mutate, testRoute);
  await depthRoute(testRoute, getDepth);
  child.stdin!.end();
}

type Mutate = (path: string, args: Record<string, unknown>) => Promise<any>;
type TestRoute = (route: string, body: Record<string, unknown>) => Promise<any>;

async function mutationLatency(mutate: Mutate, coldStartMs: number) {

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
}

/**
 * Claims from PENDING_JOBS pending jobs of USERS users (100 each, as enqueue leaves them, with their lanes), one
 * after the other over HTTP: the documents and index ranges each claim reads, as the server's convex-test counts
 * them against Convex's limits, and the claims per second.
 */
async function fairClaims(mutate: Mutate, testRoute: TestRoute) {
  const seedSeconds = await seed(testRoute, () => false);
  for (let i = 0; i < 5; i++) await mutate("queue:claimOne", { workerId: "warm-up" }); // module loading, JIT
  const typical = await measureClaims(mutate, testRoute, MEASURED_CLAIMS);
  console.log(
    `fair claims from ${PENDING_JOBS} pending jobs of ${USERS} users (seeded in ${seedSeconds.toFixed(1)} s), ` +
      `${MEASURED_CLAIMS} claims one after the other over loopback:`,
  );
  console.log(`  ${typical.reads}`);
  console.log(
    `  ${typical.rate} (the test server scans the whole table for every index read, where Convex reads the index range); ` +
      `${typical.users} different users among the ${MEASURED_CLAIMS} claims`,
  );

  // A bad case: every user's jobs but one's wait for their backoff, and that one claimed last: a claim walks 999
  // lanes that are not due (one document each) before it reaches the due one.
  await seed(testRoute, (user) => user !== USERS - 1);
  const worst = await measureClaims(mutate, testRoute, 10);
  console.log(`${USERS - 1} of the ${USERS} users waiting for a backoff, ahead of the one with due jobs, 10 claims:`);
  console.log(`  ${worst.reads}`);
}

type GetDepth = (query: string) => Promise<{ body: any; ms: number }>;

/**
 * What one call of the depth route reads (per the server's convex-test counters) with PENDING_JOBS pending jobs of
 * USERS users and 105 held jobs: at the default limit (100) and at the largest (1,000).
 */
async function depthRoute(testRoute: TestRoute, getDepth: GetDepth) {
  const seedSeconds = await seed(testRoute, () => false);
  // 105 jobs held by workers, as claims leave them (seeded: 105 claims would take minutes on this server).
  const now = (await testRoute("/_test/clock", { advanceMs: 0 })).now as number;
  const held = Array.from({ length: 105 }, (_, i) => ({
    status: "analyzing",
    prompt: "analyze",
    callbackToken: `held-${i}`,
    createdAt: now - 60_000,
    updatedAt: now,
    runAt: now - 60_000,
    attempts: 1,
    maxAttempts: 5,
    source: { url: `https://example.test/held${i}.git` },
    userKey: `user-${i % USERS}`,
    priority: 0,
    lockedBy: `depth-${i}`,
    leaseUntil: now + 300_000,
    leaseToken: `lease-${i}`,
    startedAt: now - 30_000,
    heartbeatAt: now,
  }));
  await testRoute("/_test/seed", { table: "jobs", docs: held });
  console.log(
    `depth route (GET /queue/depth) with ${PENDING_JOBS} pending jobs of ${USERS} users and 105 held (seeded in ${seedSeconds.toFixed(1)} s):`,
  );
  for (const query of ["", "?limit=1000"]) {
    await getDepth(query); // module loading, JIT
    await testRoute("/_test/calls", { reset: true });
    const { body, ms } = await getDepth(query);
    const usage = (await testRoute("/_test/calls", {})).usage["GET /queue/depth"];
    console.log(
      `  limit ${body.limit}: {pending: ${body.pending}, due: ${body.due}, running: ${body.running}, paused: ${body.paused}, ` +
        `wanted: ${body.wanted}, capped: [${body.capped.join(", ")}]}; ${usage.documentsRead.max} documents and ` +
        `${usage.databaseQueries.max} index ranges read (Convex allows 32,000 and 4,096), ${(usage.bytesRead.max / 1024).toFixed(0)} KiB, ` +
        `${ms.toFixed(0)} ms over loopback (the test server scans the table for every index read)`,
    );
  }
}

/** Claims `count` jobs one after the other; what they read (per the server) and how fast they went. */
async function measureClaims(mutate: Mutate, testRoute: TestRoute, count: number) {
  await testRoute("/_test/calls", { reset: true });
  const users = new Set<string>();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const claimed = await mutate("queue:claimOne", { workerId: `bench-${i}` });
    if (claimed === null) throw new Error(`a claim found nothing with ${PENDING_JOBS} jobs pending`);
    users.add(claimed.userKey);
  }
  const seconds = (performance.now() - t0) / 1000;
  const usage = (await testRoute("/_test/calls", {})).usage["queue:claimOne"];
  const mean = (key: "documentsRead" | "databaseQueries") => (usage[key].total / usage.transactions).toFixed(1);
  return {
    reads:
      `documents read per claim: mean ${mean("documentsRead")}, max ${usage.documentsRead.max} (Convex allows 32,000); ` +
      `index ranges per claim: mean ${mean("databaseQueries")}, max ${usage.databaseQueries.max} (Convex allows 4,096)`,
    rate: `${(count / seconds).toFixed(1)} claims/s (${((seconds * 1000) / count).toFixed(0)} ms each)`,
    users: users.size,
  };
}

/**
 * A fresh database with PENDING_JOBS pending jobs of USERS users (100 each), as enqueue leaves them, and their
 * lanes; the jobs of users for whom `later(user)` is true are due in an hour. Returns the seconds it took.
 */
async function seed(testRoute: TestRoute, later: (user: number) => boolean): Promise<number> {
  await testRoute("/_test/reset", {});
  const now = (await testRoute("/_test/clock", { advanceMs: 0 })).now as number;
  const seedStarted = performance.now();
  const dueAt = (i: number) => (later(i % USERS) ? now + 3_600_000 : now) - PENDING_JOBS + i;
  for (let from = 0; from < PENDING_JOBS; from += SEED_BATCH) {
    const docs = [];
    for (let i = from; i < Math.min(from + SEED_BATCH, PENDING_JOBS); i++) {
      const at = dueAt(i);
      docs.push({
        status: "pending",
        prompt: "analyze",
        callbackToken: `cb-${i}`,
        createdAt: at,
        updatedAt: at,
        runAt: at,
        attempts: 0,
        maxAttempts: 5,
        source: { url: `https://example.test/r${i}.git` },
        userKey: `user-${i % USERS}`,
        priority: 0,
      });
    }
    await testRoute("/_test/seed", { table: "jobs", docs });
  }
  const lanes = [];
  const someWait = Array.from({ length: USERS }, (_, u) => later(u)).some(Boolean);
  for (let u = 0; u < USERS; u++) {
    // When others wait, a user whose jobs are due claimed last: its turn comes after all of theirs.
    const lastClaimAt = someWait && !later(u) ? now - 1 : 0;
    lanes.push({ userKey: `user-${u}`, waiting: true, nextDueAt: dueAt(u), lastClaimAt, updatedAt: now });
  }
  await testRoute("/_test/seed", { table: "queueLanes", docs: lanes });
  return (performance.now() - seedStarted) / 1000;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
