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
  resetSecret,
  row,
  runInternal,
  seedUserAndRepository,
  useClock,
  type TestConvex,
} from "./support";

const CAP_VARIABLE = "FONDATION_MAX_RUNNING_PER_USER";
const ORIGINAL_CAP = process.env[CAP_VARIABLE];

beforeEach(() => {
  configureSecret();
  delete process.env[CAP_VARIABLE];
});
afterEach(() => {
  resetSecret();
  if (ORIGINAL_CAP === undefined) delete process.env[CAP_VARIABLE];
  else process.env[CAP_VARIABLE] = ORIGINAL_CAP;
  vi.restoreAllMocks();
});

/** Enqueues `count` jobs of `user` (undefined: anonymous), one millisecond apart; returns their ids. */
async function queue(t: TestConvex, clock: { advance(ms: number): void }, user: string | undefined, count: number, extra = {}) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(await enqueue(t, { ...(user !== undefined ? { user } : {}), ...extra }));
    clock.advance(1);
  }
  return ids;
}

/** The user key of each of the next `count` claims (each by its own worker; the jobs keep running). */
async function claimUsers(t: TestConvex, count: number): Promise<(string | null)[]> {
  const users: (string | null)[] = [];
  for (let i = 0; i < count; i++) {
    const claimed = await claim(t, `worker-${i}`);
    users.push(claimed === null ? null : claimed.userKey);
  }
  return users;
}

async function complete(t: TestConvex, claimed: { id: string; leaseToken: string }, workerId: string) {
  return await mutate(t, "queue:complete", { jobId: claimed.id, workerId, leaseToken: claimed.leaseToken, workerSecret: SECRET });
}

describe("fair claims", () => {
  test("users take turns: A's 20 queued jobs neither starve nor hide B's and C's one each", async () => {
    const clock = useClock();
    const t = newConvex();
    await queue(t, clock, "A", 20);
    await queue(t, clock, "B", 1);
    await queue(t, clock, "C", 1);

    expect(await claimUsers(t, 6)).toEqual(["A", "B", "C", "A", "A", "A"]);
  });

  test("a user who comes back after others claimed goes before the user who claimed last", async () => {
    const clock = useClock();
    const t = newConvex();
    await queue(t, clock, "A", 5);
    expect(await claimUsers(t, 2)).toEqual(["A", "A"]);
    clock.advance(1_000);
    await queue(t, clock, "B", 3);
    // B never claimed: its turn comes first; then the user whose last claim is oldest.
    expect(await claimUsers(t, 4)).toEqual(["B", "A", "B", "A"]);
  });

  test("jobs without a user share one anonymous turn", async () => {
    const clock = useClock();
    const t = newConvex();
    await queue(t, clock, undefined, 3);
    await queue(t, clock, "B", 2);

    expect(await claimUsers(t, 5)).toEqual(["anonymous", "B", "anonymous", "B", "anonymous"]);
  });

  test("priorities order a user's own jobs, higher first, then by due time; a later high priority waits its due time", async () => {
    const clock = useClock();
    const t = newConvex();
    const low = await enqueue(t, { user: "A", priority: -1 });
    clock.advance(1);
    const normal = await enqueue(t, { user: "A" });
    clock.advance(1);
    const urgent = await enqueue(t, { user: "A", priority: 5 });
    clock.advance(1);
    const urgentToo = await enqueue(t, { user: "A", priority: 5 });
    clock.advance(1);
    // Highest priority, but not due for a minute: it must not block the due ones.
    const scheduled = await enqueue(t, { user: "A", priority: 9, runAt: Date.now() + 60_000 });

    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await claim(t, `w${i}`)).id);
    expect(order).toEqual([urgent, urgentToo, normal, low]);
    expect(await claim(t, "w4")).toBeNull();
    clock.advance(60_000);
    expect((await claim(t, "w4")).id).toBe(scheduled);
  });

  test("more priority levels than a claim looks at one by one still give a due job", async () => {
    const clock = useClock();
    const t = newConvex();
    // Six levels above the due job, none of them due.
    for (let p = 10; p > 4; p--) await enqueue(t, { user: "A", priority: p, runAt: Date.now() + 60_000 });
    const due = await enqueue(t, { user: "A", priority: 0 });
    clock.advance(1);
    expect((await claim(t)).id).toBe(due);
  });

  test("claims answer the job's user key and priority; enqueue refuses a bad priority or user", async () => {
    const clock = useClock();
    const t = newConvex();
    await queue(t, clock, "octo", 1, { priority: 3 });
    expect(await claim(t)).toMatchObject({ userKey: "octo", priority: 3 });
    await expectConvexError(enqueue(t, { priority: 1.5 }), "INVALID_ARGUMENT");
    await expectConvexError(enqueue(t, { priority: 1_001 }), "INVALID_ARGUMENT");
    await expectConvexError(enqueue(t, { user: "   " }), "INVALID_ARGUMENT");
  });

  test("web-created jobs take their user's turn", async () => {
    const clock = useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    await queue(t, clock, "B", 2);
    const { jobId } = await mutate(t, "jobs:create", { userId, repositoryId, prompt: "Generate" });
    // B's jobs are older, but the web user has never claimed either: ties by the oldest job, then turns.
    const first = await claim(t, "w1");
    const second = await claim(t, "w2");
    expect([first.userKey, second.userKey]).toEqual(["B", userId]);
    expect(second.id).toBe(jobId);
  });

  test("rows inserted by code that sets no user key are adopted and take turns with the others", async () => {
    const clock = useClock();
    const t = newConvex();
    await queue(t, clock, "A", 3);
    // What the web app's own jobs:create (or a row older than fair claims) leaves: no userKey, no priority.
    const { userId } = await seedUserAndRepository(t);
    const foreign = await t.run(async (ctx) =>
      ctx.db.insert("jobs", { userId, status: "pending", prompt: "p", callbackToken: "cb", createdAt: Date.now(), runAt: Date.now() }),
    );
    clock.advance(1);

    const claims = [await claim(t, "w1"), await claim(t, "w2"), await claim(t, "w3")];
    expect(claims.map((c) => c.userKey)).toEqual(["A", userId, "A"]);
    expect(claims[1].id).toBe(foreign);
    expect(await row(t, foreign)).toMatchObject({ userKey: userId, priority: 0 });
  });

  test("the adoption cron gives a backlog of such rows their turns", async () => {
    useClock();
    const t = newConvex();
    await t.run(async (ctx) => {
      for (let i = 0; i < 30; i++) {
        await ctx.db.insert("jobs", { status: "pending", prompt: "p", callbackToken: "cb", createdAt: Date.now(), runAt: Date.now() });
      }
    });
    expect(await runInternal(t, "queue:adoptPending")).toEqual({ adopted: 30 });
    expect(await runInternal(t, "queue:adoptPending")).toEqual({ adopted: 0 });
    const lane = await t.run(async (ctx) =>
      ctx.db.query("queueLanes").withIndex("by_user", (q) => q.eq("userKey", "anonymous")).unique(),
    );
    expect(lane).toMatchObject({ waiting: true, lastClaimAt: 0 });
  });

  test("MAX_RUNNING_PER_USER=1: with only A's jobs due, a second claim finds nothing while A's first runs", async () => {
    const clock = useClock();
    const t = newConvex();
    process.env[CAP_VARIABLE] = "1";
    await queue(t, clock, "A", 3);

    const first = await claim(t, "w1");
    expect(first.userKey).toBe("A");
    expect(await claim(t, "w2")).toBeNull();
    // B's job is not held back by A's cap.
    await queue(t, clock, "B", 1);
    expect((await claim(t, "w2")).userKey).toBe("B");
    expect(await claim(t, "w3")).toBeNull();

    expect(await complete(t, first, "w1")).toEqual({ outcome: "completed" });
    expect((await claim(t, "w3")).userKey).toBe("A");
  });

  test("the cap counts live leases only: a crashed worker's expired lease does not hold its user back", async () => {
    const clock = useClock();
    const t = newConvex();
    process.env[CAP_VARIABLE] = "1";
    await queue(t, clock, "A", 2);
    await claim(t, "crashed", { leaseMs: 60_000 });
    expect(await claim(t, "w2")).toBeNull();
    clock.advance(61_000);
    // The second job is due and A's only lease ran out: claimed (the expired one is reclaimed later).
    const second = await claim(t, "w2");
    expect(second.userKey).toBe("A");
  });

  test("no cap (0, unset or empty): a lone user gets the whole fleet; a bad value fails the claim naming the variable", async () => {
    const clock = useClock();
    const t = newConvex();
    await queue(t, clock, "A", 3);
    process.env[CAP_VARIABLE] = "0";
    expect(await claimUsers(t, 2)).toEqual(["A", "A"]);
    process.env[CAP_VARIABLE] = "";
    expect(await claimUsers(t, 1)).toEqual(["A"]);
    for (const bad of ["two", "-1", "1.5", "101"]) {
      process.env[CAP_VARIABLE] = bad;
      const error = await expectConvexError(claim(t), "FAILED_PRECONDITION");
      expect(error.message).toContain(CAP_VARIABLE);
    }
  });

  test("a retried job comes back into its user's turn when its backoff ends, however much others queued", async () => {
    const clock = useClock();
    const t = newConvex();
    await queue(t, clock, "A", 1);
    await queue(t, clock, "B", 50);
    const a = await claim(t, "wa");
    expect(a.userKey).toBe("A");
    const retry = await mutate(t, "queue:retryOrFail", {
      jobId: a.id, workerId: "wa", leaseToken: a.leaseToken, error: "clone failed", workerSecret: SECRET,
    });
    expect(retry.status).toBe("retrying");
    expect(await claimUsers(t, 3)).toEqual(["B", "B", "B"]);
    clock.advance(retry.nextRunAt - Date.now());
    // A claimed longer ago than B: its retried job goes next.
    const again = await claim(t, "wa2");
    expect(again.id).toBe(a.id);
  });

  test("a released job and a reclaimed one take their user's turn again", async () => {
    const clock = useClock();
    const t = newConvex();
    await queue(t, clock, "A", 1);
    const held = await claim(t, "w1", { leaseMs: 60_000 });
    await mutate(t, "queue:release", { jobId: held.id, workerId: "w1", leaseToken: held.leaseToken, workerSecret: SECRET });
    const again = await claim(t, "w2", { leaseMs: 60_000 });
    expect(again.id).toBe(held.id);
    clock.advance(61_000);
    await runInternal(t, "queue:reclaimExpired");
    expect((await claim(t, "w3")).id).toBe(held.id);
  });

  test("a pending job its lane does not know about is still claimed, and the lane is repaired", async () => {
    const clock = useClock();
    const t = newConvex();
    const [id] = await queue(t, clock, "A", 1);
    // Another writer left the lane saying "nothing waiting" (say, a status update made by an older copy of the functions).
    await t.run(async (ctx) => {
      const lane = await ctx.db.query("queueLanes").withIndex("by_user", (q) => q.eq("userKey", "A")).unique();
      await ctx.db.patch("queueLanes", lane!._id, { waiting: false, nextDueAt: undefined });
    });
    expect((await claim(t)).id).toBe(id);
  });

  test("a job made pending behind its lane's back does not wait behind other users' work", async () => {
    const clock = useClock();
    const t = newConvex();
    const [a] = await queue(t, clock, "A", 1);
    const a1 = await claim(t, "w1");
    await queue(t, clock, "B", 5);
    // An older copy of the functions puts A's job back to pending without noting A's lane (which says "nothing").
    await t.run(async (ctx) => {
      await ctx.db.patch("jobs", a as any, { status: "pending", lockedBy: undefined, leaseUntil: undefined, leaseToken: undefined });
    });
    expect(a1.id).toBe(a);
    // B never claimed: its turn first; then A's, whose job is back in the turns (not after all of B's five).
    expect((await claim(t, "w2")).userKey).toBe("B");
    expect((await claim(t, "w3")).id).toBe(a);
  });

  test("a lane that says 'due' for a job another writer ended is refreshed when a claim visits it", async () => {
    const clock = useClock();
    const t = newConvex();
    const [a] = await queue(t, clock, "A", 1);
    await queue(t, clock, "B", 1);
    await t.run(async (ctx) => ctx.db.patch("jobs", a as any, { status: "failed" }));
    expect((await claim(t)).userKey).toBe("B");
    const lane = await t.run(async (ctx) =>
      ctx.db.query("queueLanes").withIndex("by_user", (q) => q.eq("userKey", "A")).unique(),
    );
    expect(lane).toMatchObject({ waiting: false });
  });

  test("users at their cap or waiting for a backoff ahead in turn cost one or two reads each, and the due user is found", async () => {
    const clock = useClock();
    const t = newConvex();
    process.env[CAP_VARIABLE] = "1";
    // 150 users each running one job (claimed long ago, still heartbeating) with more queued, 150 users whose only
    // job waits for an hour, then the user with due work, whose turn comes last.
    for (let u = 0; u < 150; u++) await queue(t, clock, `busy-${u}`, 2);
    for (let u = 0; u < 150; u++) await claim(t, `w-busy-${u}`, { leaseMs: 3_600_000 });
    for (let u = 0; u < 150; u++) await enqueue(t, { user: `later-${u}`, runAt: Date.now() + 3_600_000 });
    const [due] = await queue(t, clock, "due", 1);
    await t.run(async (ctx) => {
      const lane = await ctx.db.query("queueLanes").withIndex("by_user", (q) => q.eq("userKey", "due")).unique();
      await ctx.db.patch("queueLanes", lane!._id, { lastClaimAt: Date.now() + 1_000_000 });
    });

    const { result, usage } = await measured(() => claim(t, "w-free"));
    expect(result.id).toBe(due);
    // 150 capped lanes (the lane and its one lease), 150 lanes not due (the lane), then the claim itself.
    expect(usage[0].documentsRead).toBeGreaterThanOrEqual(450);
    expect(usage[0].documentsRead).toBeLessThanOrEqual(480);
    expect(usage[0].databaseQueries).toBeLessThanOrEqual(170);
  }, 60_000);

  test("past its read budget a claim stops walking the turns and takes the earliest due job", async () => {
    useClock();
    const t = newConvex();
    const now = Date.now();
    // 2,000 users waiting for an hour ahead in turn of the one with a due job (whose lane claimed last).
    await t.run(async (ctx) => {
      for (let u = 0; u < 2_000; u++) {
        await ctx.db.insert("queueLanes", { userKey: `later-${u}`, waiting: true, nextDueAt: now + 3_600_000, lastClaimAt: 0, updatedAt: now });
      }
      await ctx.db.insert("queueLanes", { userKey: "due", waiting: true, nextDueAt: now, lastClaimAt: now, updatedAt: now });
    });
    const due = await enqueue(t, { user: "due" });
    const { result, usage } = await measured(() => claim(t, "w1"));
    expect(result.id).toBe(due);
    expect(usage[0].documentsRead).toBeGreaterThanOrEqual(1_500);
    expect(usage[0].documentsRead).toBeLessThanOrEqual(1_530);
  }, 60_000);

  test("a claim reads the same few documents at 1,000 and at 10,000 pending jobs (by index, never by scan)", async () => {
    useClock();
    const small = await readsPerClaim(1_000, 100);
    const large = await readsPerClaim(10_000, 1_000);
    console.log(`reads per claim: ${JSON.stringify({ small, large })}`);
    // Measured by convex-test's own transaction counters (what Convex limits), not by the function.
    expect(large.documentsRead).toBeLessThanOrEqual(12);
    expect(large.documentsRead).toBe(small.documentsRead);
    expect(large.databaseQueries).toBe(small.databaseQueries);
  }, 120_000);
});

/** Seeds `jobs` pending jobs spread over `users` users (as enqueue leaves them), then measures one claim. */
async function readsPerClaim(jobs: number, users: number) {
  const t = newConvex();
  const now = Date.now();
  await t.run(async (ctx) => {
    for (let i = 0; i < jobs; i++) {
      await ctx.db.insert("jobs", {
        status: "pending",
        prompt: "p",
        callbackToken: "cb",
        createdAt: now - jobs + i,
        runAt: now - jobs + i,
        attempts: 0,
        maxAttempts: 5,
        source: { url: "https://example.test/r.git" },
        userKey: `user-${i % users}`,
        priority: 0,
      });
    }
    for (let u = 0; u < users; u++) {
      await ctx.db.insert("queueLanes", {
        userKey: `user-${u}`, waiting: true, nextDueAt: now - jobs + u, lastClaimAt: 0, updatedAt: now,
      });
    }
  });
  await claim(t, "warm-up");
  const { result, usage } = await measured(() => claim(t, "measured"));
  expect(result).not.toBeNull();
  expect(usage).toHaveLength(1);
  return usage[0];
}
