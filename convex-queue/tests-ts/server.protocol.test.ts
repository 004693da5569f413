import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { startTestServer, type RunningTestServer } from "../test-server/app";
import { resetSecret, configureSecret } from "./support";
import { callFunction, post, value } from "./http";

/* The server's protocol, in-process (the smoke test covers the process itself). */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const ADMIN = { Authorization: "Convex test-admin-key" };
let server: RunningTestServer;
let url: string;

beforeAll(async () => {
  configureSecret();
  server = await startTestServer({ functionsDir: join(ROOT, "convex"), port: 0, adminKey: "test-admin-key" });
  url = server.url;
});
afterAll(async () => {
  await server.close();
  resetSecret();
});
beforeEach(async () => {
  expect(await post(url, "/_test/reset", {})).toEqual({ status: 200, body: { ok: true } });
});

const enqueue = () =>
  value(url, "mutation", "queue:enqueue", { source: { fullName: "octo/demo" }, prompt: "p", workerSecret: "test-secret" });

describe("Convex HTTP API", () => {
  test("args as a one-element array, /api/run paths, module paths with .js, unknown formats", async () => {
    const id = await enqueue();
    const viaArray = await post(url, "/api/query", { path: "queue:getJob", args: [{ jobId: id, workerSecret: "test-secret" }], format: "convex_encoded_json" });
    expect(viaArray.body.value.id).toBe(id);
    const viaRun = await post(url, "/api/run/queue/getJob", { args: { jobId: id, workerSecret: "test-secret" }, format: "convex_encoded_json" });
    expect(viaRun.body.value.id).toBe(id);
    const withExtension = await post(url, "/api/query", { path: "queue.js:capabilities", args: {} });
    expect(withExtension.body.value.version).toBe(3);
    expect((await post(url, "/api/query", { path: "queue:capabilities", args: {}, format: "xml" })).body.code).toBe("BadFormat");
  });

  test("unknown functions, wrong endpoints and internal functions without admin key are function errors", async () => {
    expect((await callFunction(url, "query", "queue:nope")).body.errorMessage).toContain("Could not find public function for 'queue:nope'");
    expect((await callFunction(url, "query", "nomodule:x")).body.status).toBe("error");
    expect((await callFunction(url, "mutation", "queue:getMetrics")).body.errorMessage).toBe(
      "Trying to execute queue.js:getMetrics as Mutation, but it is defined as Query.",
    );
    expect((await callFunction(url, "mutation", "lib/auth:requireWorker")).body.status).toBe("error");
    const internal = await callFunction(url, "mutation", "queue:reclaimExpired");
    expect(internal).toMatchObject({ status: 200, body: { status: "error" } });
    expect((await callFunction(url, "mutation", "queue:reclaimExpired", {}, ADMIN)).body.status).toBe("success");
  });

  test("request errors: bad JSON, bad identifiers, bad auth, bad client header, wrong method, unknown route", async () => {
    expect((await post(url, "/api/query", "[1,2")).body.code).toBe("BadJsonBody");
    expect((await post(url, "/api/query", { path: "../x:y", args: {} })).body.code).toBe("BadConvexFunctionIdentifier");
    expect((await post(url, "/api/query", { path: 5, args: {} })).status).toBe(400);
    expect((await post(url, "/api/query", { path: "queue:capabilities", args: 3 })).body.code).toBe("BadJsonBody");
    expect(await callFunction(url, "query", "queue:capabilities", {}, { Authorization: "Bearer abc" })).toMatchObject({ status: 401 });
    expect(await callFunction(url, "query", "queue:capabilities", {}, { Authorization: "garbage" })).toMatchObject({ status: 401, body: { code: "InvalidAuthHeader" } });
    expect(await callFunction(url, "query", "queue:capabilities", {}, { "Convex-Client": "java" })).toMatchObject({ status: 400 });
    expect((await callFunction(url, "query", "queue:capabilities", {}, { "Convex-Client": "fondation-java-0.1.0" })).body.status).toBe("success");
    expect((await fetch(`${url}/api/query`)).status).toBe(405);
    expect((await post(url, "/nothing", {})).status).toBe(404);
  });

  test("console output of a function comes back as logLines", async () => {
    const id = await enqueue();
    const claimed = await value(url, "mutation", "queue:claimOne", { workerId: "w", leaseMs: 1_000, workerSecret: "test-secret" });
    expect(claimed.id).toBe(id);
    await post(url, "/_test/clock", { advanceMs: 5_000 });
    const run = await post(url, "/_test/run-internal", { path: "queue:reclaimExpired" });
    expect(run.body).toMatchObject({ status: "success", value: { reclaimed: 1 } });
    expect(run.body.logLines).toEqual([expect.stringContaining("1 back to pending")]);
  });
});

describe("test endpoints", () => {
  test("clock: advancing time expires leases without waiting", async () => {
    const id = await enqueue();
    const claimed = await value(url, "mutation", "queue:claimOne", { workerId: "w", leaseMs: 60_000, workerSecret: "test-secret" });
    const clock = await post(url, "/_test/clock", { advanceMs: 61_000 });
    expect(clock.body.offsetMs).toBe(61_000);
    expect(clock.body.now).toBeGreaterThanOrEqual(claimed.leaseUntil);
    await post(url, "/_test/run-internal", { path: "queue:reclaimExpired" });
    const job = await value(url, "query", "queue:getJob", { jobId: id, workerSecret: "test-secret" });
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect((await post(url, "/_test/clock", { advanceMs: "soon" })).status).toBe(400);
  });

  test("reset empties the database and puts the clock back", async () => {
    await enqueue();
    await post(url, "/_test/clock", { advanceMs: 3_600_000 });
    await post(url, "/_test/reset", {});
    expect((await post(url, "/_test/clock", {})).body.offsetMs).toBe(0);
    expect(await value(url, "query", "queue:listJobs", { workerSecret: "test-secret" })).toEqual([]);
  });

  test("seed inserts validated rows", async () => {
    const user = await post(url, "/_test/seed", { table: "users", doc: { githubId: "7", username: "u", githubAccessToken: "obf_dG9r", createdAt: 1 } });
    expect(user.status).toBe(200);
    const repository = await post(url, "/_test/seed", {
      table: "repositories",
      doc: { userId: user.body.id, githubRepoId: "1", name: "r", fullName: "u/r", defaultBranch: "main" },
    });
    expect(await value(url, "query", "repositories:getByRepositoryId", { repositoryId: repository.body.id })).toMatchObject({ fullName: "u/r" });
    expect(await value(url, "query", "users:getGitHubToken", { githubId: "7", workerSecret: "test-secret" })).toBe("obf_dG9r");
    const bad = await post(url, "/_test/seed", { table: "users", doc: { githubId: "7" } });
    expect(bad).toMatchObject({ status: 400, body: { code: "BadSeed" } });
    expect((await post(url, "/_test/seed", { table: "users" })).status).toBe(400);
  });

  test("seed with docs inserts a batch in one transaction; a bad row inserts none of them", async () => {
    const docs = Array.from({ length: 3 }, (_, i) => ({ githubId: `${i}`, username: `u${i}`, createdAt: 1 }));
    const seeded = await post(url, "/_test/seed", { table: "users", docs });
    expect(seeded.status).toBe(200);
    expect(seeded.body.ids).toHaveLength(3);
    const bad = await post(url, "/_test/seed", { table: "users", docs: [{ githubId: "9", username: "u9", createdAt: 1 }, { githubId: "x" }] });
    expect(bad).toMatchObject({ status: 400, body: { code: "BadSeed" } });
    expect(await value(url, "query", "users:getUserByGithubId", { githubId: "9" })).toBeNull();
  });

  test("calls report what each function's transactions read, as convex-test counts it against Convex's limits", async () => {
    for (let i = 0; i < 3; i++) await enqueue();
    await post(url, "/_test/calls", { reset: true });
    await value(url, "mutation", "queue:claimOne", { workerId: "w", workerSecret: "test-secret" });
    await value(url, "mutation", "queue:claimOne", { workerId: "w", workerSecret: "test-secret" });
    const { usage } = (await post(url, "/_test/calls", {})).body;
    expect(usage["queue:claimOne"].transactions).toBe(2);
    expect(usage["queue:claimOne"].documentsRead.max).toBeGreaterThan(0);
    expect(usage["queue:claimOne"].documentsRead.total).toBeGreaterThan(usage["queue:claimOne"].documentsRead.max);
    expect(usage["queue:claimOne"].databaseQueries.max).toBeGreaterThan(0);
    expect(usage).not.toHaveProperty("queue:enqueue");
  });

  test("HTTP actions of http.ts are served outside /api/ and /_test/ (the depth route), their reads counted per route", async () => {
    const original = process.env.FONDATION_DEPTH_TOKEN;
    process.env.FONDATION_DEPTH_TOKEN = "FAKE-depth";
    try {
      for (let i = 0; i < 3; i++) await enqueue();
      await post(url, "/_test/calls", { reset: true });
      const right = await fetch(`${url}/queue/depth?limit=2`, { headers: { "X-Fondation-Depth-Token": "FAKE-depth" } });
      expect(right.status).toBe(200);
      expect(right.headers.get("cache-control")).toBe("no-store");
      expect(await right.json()).toMatchObject({ pending: 2, due: 2, running: 0, wanted: 2, limit: 2, capped: ["pending", "due"] });
      const wrong = await fetch(`${url}/queue/depth`, { headers: { "X-Fondation-Depth-Token": "FAKE-other" } });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ code: "UNAUTHORIZED" });
      // A method the router does not route, and a path it does not know: 404, as before.
      expect((await post(url, "/queue/depth", {})).status).toBe(404);
      expect((await fetch(`${url}/queue/nothing`)).status).toBe(404);
      const { calls, usage } = (await post(url, "/_test/calls", {})).body;
      expect(calls.http.action).toBe(2);
      // Only the answered request ran a query: pending (limit + 1 = 3), leases (0), pauses (0).
      expect(usage["GET /queue/depth"]).toMatchObject({ transactions: 1, documentsRead: { total: 3, max: 3 }, databaseQueries: { max: 4 } });
    } finally {
      if (original === undefined) delete process.env.FONDATION_DEPTH_TOKEN;
      else process.env.FONDATION_DEPTH_TOKEN = original;
    }
  });

  test("mutations are serialised: concurrent claims never share a job", async () => {
    for (let i = 0; i < 20; i++) await enqueue();
    const claims = await Promise.all(
      Array.from({ length: 25 }, (_, i) => value(url, "mutation", "queue:claimOne", { workerId: `w${i}`, workerSecret: "test-secret" })),
    );
    const ids = claims.filter((c) => c !== null).map((c) => c.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });
});
