import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
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
} from "./support";

// The watch queries a worker subscribes to over the sync protocol (queue:watch, queue:watchJob).

beforeEach(() => configureSecret());
afterEach(() => {
  resetSecret();
  vi.restoreAllMocks();
});

const watch = (t: ReturnType<typeof newConvex>) => read(t, "queue:watch", { workerSecret: SECRET });

describe("watch", () => {
  test("an empty queue: nothing pending, no lease", async () => {
    const t = newConvex();
    expect(await watch(t)).toEqual({ pending: 0, pendingCapped: false, nextRunAt: null, nextLeaseUntil: null });
  });

  test("counts pending jobs and gives the earliest runAt, due or not", async () => {
    const clock = useClock();
    const t = newConvex();
    await enqueue(t, { runAt: clock.now() + 60_000 });
    expect(await watch(t)).toMatchObject({ pending: 1, nextRunAt: clock.now() + 60_000 });
    await enqueue(t, { runAt: clock.now() - 5 });
    await enqueue(t);
    expect(await watch(t)).toMatchObject({ pending: 3, nextRunAt: clock.now() - 5, nextLeaseUntil: null });
  });

  test("a pending job without runAt (older code) is due since always: nextRunAt 0", async () => {
    const t = newConvex();
    await enqueue(t, { runAt: Date.now() + 60_000 });
    await t.run(async (ctx) => {
      await ctx.db.insert("jobs", { status: "pending", prompt: "p", callbackToken: "cb", createdAt: 1 });
    });
    expect(await watch(t)).toMatchObject({ pending: 2, nextRunAt: 0 });
  });

  test("gives the earliest lease end of the held jobs, for taking over a crashed worker's job", async () => {
    const clock = useClock();
    const t = newConvex();
    await enqueue(t);
    await enqueue(t);
    await claim(t, "worker-a", { leaseMs: 60_000 });
    clock.advance(1_000);
    await claim(t, "worker-b", { leaseMs: 30_000 });
    expect(await watch(t)).toEqual({
      pending: 0,
      pendingCapped: false,
      nextRunAt: null,
      nextLeaseUntil: clock.now() + 30_000,
    });
  });

  test("the result does not depend on the clock: the same rows give the same answer at any time", async () => {
    const clock = useClock();
    const t = newConvex();
    await enqueue(t, { runAt: clock.now() + 1_000 });
    await enqueue(t);
    await claim(t, "worker-a", { leaseMs: 60_000 });
    const before = await watch(t);
    clock.advance(3_600_000);
    expect(await watch(t)).toEqual(before);
  });

  test("stops counting at 100 and says so", async () => {
    const t = newConvex();
    await t.run(async (ctx) => {
      for (let i = 0; i < 101; i++) {
        await ctx.db.insert("jobs", { status: "pending", prompt: "p", callbackToken: "cb", createdAt: i, runAt: 1_000 + i });
      }
    });
    expect(await watch(t)).toMatchObject({ pending: 100, pendingCapped: true, nextRunAt: 1_000 });
  });

  test("needs the worker secret", async () => {
    const t = newConvex();
    await expectConvexError(read(t, "queue:watch", {}), "UNAUTHORIZED");
    await expectConvexError(read(t, "queue:watch", { workerSecret: "wrong" }), "UNAUTHORIZED");
  });
});

describe("watchJob", () => {
  test("the holder sees its lease, then the cancellation", async () => {
    const t = newConvex();
    const id = await enqueue(t);
    const held = await claim(t, "worker-a");
    const args = { jobId: id, leaseToken: held.leaseToken, workerSecret: SECRET };
    expect(await read(t, "queue:watchJob", args)).toEqual({ cancelRequested: false, leaseHeld: true });
    await mutate(t, "queue:cancel", { jobId: id, workerSecret: SECRET });
    // Canceled while held: the lock stays, so the holder can still finish cleanly.
    expect(await read(t, "queue:watchJob", args)).toEqual({ cancelRequested: true, leaseHeld: true });
  });

  test("another lease token, a released job or an unknown id do not hold", async () => {
    const t = newConvex();
    const id = await enqueue(t);
    const held = await claim(t, "worker-a");
    expect(await read(t, "queue:watchJob", { jobId: id, leaseToken: "other", workerSecret: SECRET })).toEqual({
      cancelRequested: false,
      leaseHeld: false,
    });
    await mutate(t, "queue:release", { jobId: id, workerId: "worker-a", leaseToken: held.leaseToken, workerSecret: SECRET });
    expect(await read(t, "queue:watchJob", { jobId: id, leaseToken: held.leaseToken, workerSecret: SECRET })).toEqual({
      cancelRequested: false,
      leaseHeld: false,
    });
    expect(await read(t, "queue:watchJob", { jobId: "nope", leaseToken: "x", workerSecret: SECRET })).toEqual({
      cancelRequested: false,
      leaseHeld: false,
    });
  });

  test("needs the worker secret", async () => {
    const t = newConvex();
    await expectConvexError(read(t, "queue:watchJob", { jobId: "x", leaseToken: "y" }), "UNAUTHORIZED");
  });
});
