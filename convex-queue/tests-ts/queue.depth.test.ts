import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { measured } from "../test-server/metrics";
import {
  SECRET,
  claim,
  configureSecret,
  enqueue,
  expectConvexError,
  mutate,
  newConvex,
  read,
  resetSecret,
  useClock,
  type TestConvex,
} from "./support";

/*
 * The queue's depth for autoscaling (issue 21): queue:depth (worker secret) and the HTTP route GET /queue/depth
 * (its own token, FONDATION_DEPTH_TOKEN, in the X-Fondation-Depth-Token header), driven through convex-test's fetch.
 */

const TOKEN_VARIABLE = "FONDATION_DEPTH_TOKEN";
const CAP_VARIABLE = "FONDATION_MAX_RUNNING_PER_USER";
const ORIGINAL = { token: process.env[TOKEN_VARIABLE], cap: process.env[CAP_VARIABLE] };
const TOKEN = "FAKE-depth";
const HEADER = "X-Fondation-Depth-Token";
const ACCOUNT = "sha256:00112233445566778899aabbccddeeff";
const OTHER_ACCOUNT = "sha256:ffeeddccbbaa99887766554433221100";

beforeEach(() => {
  configureSecret();
  process.env[TOKEN_VARIABLE] = TOKEN;
  delete process.env[CAP_VARIABLE];
});
afterEach(() => {
  resetSecret();
  restore(TOKEN_VARIABLE, ORIGINAL.token);
  restore(CAP_VARIABLE, ORIGINAL.cap);
  vi.restoreAllMocks();
});

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** GET /queue/depth with these headers; the status, the headers and the parsed body. */
async function route(t: TestConvex, headers: Record<string, string> = { [HEADER]: TOKEN }, query = "") {
  const response = await t.fetch(`/queue/depth${query}`, { method: "GET", headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}

async function depth(t: TestConvex) {
  const answer = await route(t);
  expect(answer.status).toBe(200);
  return answer.body;
}

describe("the depth route's token", () => {
  test("the right token in the header gets the counts, as JSON that no cache keeps", async () => {
    const clock = useClock();
    const t = newConvex();
    const answer = await route(t);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("Content-Type")).toBe("application/json");
    expect(answer.headers.get("Cache-Control")).toBe("no-store");
    expect(answer.body).toEqual({
      pending: 0,
      due: 0,
      running: 0,
      paused: 0,
      wanted: 0,
      limit: 100,
      capped: [],
      now: clock.now(),
    });
  });

  test("a missing or wrong token is refused with 401, and no answer repeats a secret", async () => {
    useClock();
    const t = newConvex();
    await enqueue(t);
    const missing = await route(t, {});
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ code: "UNAUTHORIZED", message: `the depth route needs the ${HEADER} header` });
    const empty = await route(t, { [HEADER]: "" });
    expect(empty.status).toBe(401);
    for (const wrong of ["FAKE-deptH", "FAKE-depth-longer", "FAKE", SECRET]) {
      const answer = await route(t, { [HEADER]: wrong });
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe("UNAUTHORIZED");
      expect(answer.text).not.toContain(wrong);
      expect(answer.text).not.toContain(TOKEN);
      expect(answer.text).not.toContain("pending\":");
    }
    // The token in another header (or as a bearer token) is not the token.
    expect((await route(t, { Authorization: `Bearer ${TOKEN}` })).status).toBe(401);
  });

  test("without FONDATION_DEPTH_TOKEN the route is closed (503 naming the variable), whatever the header", async () => {
    useClock();
    const t = newConvex();
    delete process.env[TOKEN_VARIABLE];
    const answer = await route(t);
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe("FAILED_PRECONDITION");
    expect(answer.body.message).toContain("FONDATION_DEPTH_TOKEN");
    process.env[TOKEN_VARIABLE] = "";
    expect((await route(t, { [HEADER]: "" })).status).toBe(503);
  });

  test("a depth token equal to the worker secret is refused even when given right: it must never open the worker functions", async () => {
    useClock();
    const t = newConvex();
    process.env[TOKEN_VARIABLE] = SECRET;
    const answer = await route(t, { [HEADER]: SECRET });
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe("FAILED_PRECONDITION");
    expect(answer.body.message).toContain("must not be the worker secret");
    expect(answer.text).not.toContain(SECRET);
  });

  test("the worker secret's query needs the worker secret, not the depth token", async () => {
    const clock = useClock();
    const t = newConvex();
    await expectConvexError(read(t, "queue:depth", { now: clock.now() }), "UNAUTHORIZED");
    await expectConvexError(read(t, "queue:depth", { now: clock.now(), workerSecret: TOKEN }), "UNAUTHORIZED");
    expect(await read(t, "queue:depth", { now: clock.now(), workerSecret: SECRET })).toMatchObject({ pending: 0, wanted: 0 });
  });

  test("a limit outside 1..1000 is refused with 400; an accepted one is where counts stop", async () => {
    useClock();
    const t = newConvex();
    for (const limit of ["0", "1001", "2.5", "abc"]) {
      const answer = await route(t, { [HEADER]: TOKEN }, `?limit=${limit}`);
      expect(answer.status, `limit=${limit}`).toBe(400);
      expect(answer.body.code).toBe("INVALID_ARGUMENT");
    }
    expect((await route(t, { [HEADER]: TOKEN }, "?limit=1000")).body.limit).toBe(1_000);
  });
});

describe("what the depth counts", () => {
  test("pending, due (due now, no runAt, expired lease), running (leased, canceled while held), nothing ended", async () => {
    const clock = useClock();
    const t = newConvex();
    const now = clock.now();
    // Two due now, one due in an hour, one inserted by other code without runAt (due since always).
    await enqueue(t);
    await enqueue(t);
    await enqueue(t, { runAt: now + 3_600_000 });
    await t.run(async (ctx) =>
      ctx.db.insert("jobs", { status: "pending", prompt: "p", callbackToken: "cb", createdAt: now }),
    );
    expect(await depth(t)).toMatchObject({ pending: 4, due: 3, running: 0, wanted: 3 });

    // Three claimed (the undated row first, then the oldest due): one works in a phase, one is canceled while held.
    const first = await claim(t, "w1");
    const second = await claim(t, "w2");
    const third = await claim(t, "w3", { leaseMs: 60_000 });
    await mutate(t, "queue:heartbeat", { jobId: second.id, workerId: "w2", leaseToken: second.leaseToken, status: "analyzing", workerSecret: SECRET });
    await mutate(t, "queue:cancel", { jobId: first.id, workerSecret: SECRET });
    expect(await depth(t)).toMatchObject({ pending: 1, due: 0, running: 3, wanted: 3 });

    // The short lease expires: a claim would take that job over, so it is due, not running.
    clock.advance(61_000);
    expect(await depth(t)).toMatchObject({ pending: 1, due: 1, running: 2, wanted: 3 });

    // The canceled holder gives the lock back; the analyzing one completes: neither counts any more.
    await mutate(t, "queue:release", { jobId: first.id, workerId: "w1", leaseToken: first.leaseToken, workerSecret: SECRET });
    await mutate(t, "queue:complete", { jobId: second.id, workerId: "w2", leaseToken: second.leaseToken, workerSecret: SECRET });
    expect(await depth(t)).toMatchObject({ pending: 1, due: 1, running: 0, wanted: 1 });
    expect(third.id).toBeDefined();

    // The hour passes: the scheduled job is due too.
    clock.advance(3_600_000);
    expect(await depth(t)).toMatchObject({ pending: 1, due: 2, running: 0, wanted: 2 });
  });

  test("paused counts the LLM credentials whose claims are held back now: a pause in force, or its probe out", async () => {
    const clock = useClock();
    const t = newConvex();
    await enqueue(t);
    await enqueue(t);
    const pause = await mutate(t, "queue:recordPause", { credential: ACCOUNT, kind: "rate_limit", retryAfterMs: 20_000, workerId: "w", workerSecret: SECRET });
    await mutate(t, "queue:recordPause", { credential: OTHER_ACCOUNT, kind: "overloaded", retryAfterMs: 90_000, workerId: "w", workerSecret: SECRET });
    // The jobs stay due: a worker with another credential, or none, may claim them.
    expect(await depth(t)).toMatchObject({ pending: 2, due: 2, paused: 2, wanted: 2 });

    // The first pause ends: the next claim with that credential is the probe, so its claims are not held back.
    clock.advance(pause.until - clock.now());
    expect((await depth(t)).paused).toBe(1);
    // The probe goes out: the credential's other claims wait for its 60 s window.
    expect(await claim(t, "w-probe", { credential: ACCOUNT })).not.toBeNull();
    expect(await depth(t)).toMatchObject({ paused: 2, due: 1, running: 1 });
    clock.advance(60_000);
    expect(await depth(t)).toMatchObject({ paused: 1 });
    clock.advance(30_000);
    expect((await depth(t)).paused).toBe(0);
  });

  test("with FONDATION_MAX_RUNNING_PER_USER, a user's due jobs count only up to the room its live leases leave", async () => {
    const clock = useClock();
    const t = newConvex();
    process.env[CAP_VARIABLE] = "2";
    // A user imports a dozen repositories; another user queues one.
    for (let i = 0; i < 12; i++) {
      await enqueue(t, { user: "importer" });
      clock.advance(1);
    }
    await enqueue(t, { user: "other" });
    expect(await depth(t)).toMatchObject({ pending: 13, due: 3, running: 0, wanted: 3 });

    // Claims go importer, other, importer: the importer is at its cap, the other has nothing left.
    for (const worker of ["w1", "w2", "w3"]) expect(await claim(t, worker)).not.toBeNull();
    expect(await depth(t)).toMatchObject({ pending: 10, due: 0, running: 3, wanted: 3 });
    // Without the cap the same queue asks for ten more slots.
    delete process.env[CAP_VARIABLE];
    expect(await depth(t)).toMatchObject({ pending: 10, due: 10, running: 3, wanted: 13 });
  });

  test("under a cap, a due job whose lane another writer left saying 'nothing due' still asks for one worker when none runs", async () => {
    useClock();
    const t = newConvex();
    process.env[CAP_VARIABLE] = "1";
    await enqueue(t, { user: "u" });
    await t.run(async (ctx) => {
      const lane = await ctx.db.query("queueLanes").withIndex("by_user", (q) => q.eq("userKey", "u")).unique();
      await ctx.db.patch("queueLanes", lane!._id, { waiting: false, nextDueAt: undefined });
    });
    expect(await depth(t)).toMatchObject({ pending: 1, due: 1, wanted: 1 });
    // That worker's claim repairs the lane and takes the job.
    expect(await claim(t, "w1")).not.toBeNull();
    expect(await depth(t)).toMatchObject({ pending: 0, due: 0, running: 1 });
  });

  test("counts stop at the limit and say so; a capped count still asks for the whole fleet", async () => {
    const clock = useClock();
    const t = newConvex();
    const now = clock.now();
    await seedPending(t, now, 150, 10);
    const answer = await depth(t);
    expect(answer).toMatchObject({ pending: 100, due: 100, running: 0, wanted: 100, limit: 100 });
    expect(answer.capped).toEqual(["pending", "due"]);
    const wider = (await route(t, { [HEADER]: TOKEN }, "?limit=1000")).body;
    expect(wider).toMatchObject({ pending: 150, due: 150, wanted: 150, limit: 1_000, capped: [] });
    // The same through the worker's query, with its own `now`: an hour earlier nothing was due.
    expect(await read(t, "queue:depth", { now: now - 3_600_000, limit: 1_000, workerSecret: SECRET })).toMatchObject({
      pending: 150,
      due: 0,
    });
  });

  test("under a cap, past its read budget the walk of the turns stops and due counts the due jobs whatever the cap", async () => {
    useClock();
    const t = newConvex();
    process.env[CAP_VARIABLE] = "1";
    const now = Date.now();
    // 2,000 users waiting for an hour ahead in turn of the one with a due job.
    await t.run(async (ctx) => {
      for (let u = 0; u < 2_000; u++) {
        await ctx.db.insert("queueLanes", { userKey: `later-${u}`, waiting: true, nextDueAt: now + 3_600_000, lastClaimAt: 0, updatedAt: now });
      }
    });
    await enqueue(t, { user: "due" });
    await t.run(async (ctx) => {
      const lane = await ctx.db.query("queueLanes").withIndex("by_user", (q) => q.eq("userKey", "due")).unique();
      await ctx.db.patch("queueLanes", lane!._id, { lastClaimAt: now });
    });
    const { result, usage } = await measured(() => depth(t));
    expect(result).toMatchObject({ due: 1, wanted: 1 });
    expect(usage[0].documentsRead).toBeGreaterThanOrEqual(1_500);
    expect(usage[0].documentsRead).toBeLessThanOrEqual(1_510);
  }, 60_000);
});

describe("what the depth costs", () => {
  test("the route reads the same documents at 1,000 and at 10,000 jobs: bounded by the limit, never by the table", async () => {
    useClock();
    const reads = async (jobs: number) => {
      const t = newConvex();
      await seedPending(t, Date.now(), jobs, 100);
      // A few held jobs (claimed through the functions), so every range has something to read.
      for (let i = 0; i < 5; i++) await claim(t, `w${i}`);
      const { result, usage } = await measured(() => route(t));
      expect(result.status).toBe(200);
      expect(usage).toHaveLength(1);
      return { body: result.body, usage: usage[0] };
    };
    const small = await reads(1_000);
    const large = await reads(10_000);
    console.log(`depth route reads: ${JSON.stringify({ small: small.usage, large: large.usage })}`);
    expect(small.body).toMatchObject({ pending: 100, due: 100, running: 5, capped: ["pending", "due"] });
    expect(large.usage.documentsRead).toBe(small.usage.documentsRead);
    expect(large.usage.databaseQueries).toBe(small.usage.databaseQueries);
    // pending (limit + 1), live leases (5), expired leases (0), pauses (0): measured by convex-test, not the function.
    expect(large.usage.documentsRead).toBe(106);
    expect(large.usage.databaseQueries).toBe(4);
  }, 120_000);
});

/** `count` pending jobs of `users` users, due from `now - count` ms on, as enqueue leaves them, with their lanes. */
async function seedPending(t: TestConvex, now: number, count: number, users: number) {
  await t.run(async (ctx) => {
    for (let i = 0; i < count; i++) {
      await ctx.db.insert("jobs", {
        status: "pending",
        prompt: "p",
        callbackToken: "cb",
        createdAt: now - count + i,
        runAt: now - count + i,
        attempts: 0,
        maxAttempts: 5,
        source: { url: "https://example.test/r.git" },
        userKey: `user-${i % users}`,
        priority: 0,
      });
    }
    for (let u = 0; u < users; u++) {
      await ctx.db.insert("queueLanes", { userKey: `user-${u}`, waiting: true, nextDueAt: now - count + u, lastClaimAt: 0, updatedAt: now });
    }
  });
}
