import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import crons from "../convex/crons";
import { SECRET, claim, configureSecret, enqueue, mutate, newConvex, row, runInternal, useClock, resetSecret } from "./support";

beforeEach(() => configureSecret());
afterEach(() => {
  resetSecret();
  vi.restoreAllMocks();
});

describe("reclaimExpired", () => {
  test("returns a crashed worker's job to pending, its crashed attempt still counted", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t);
    const held = await claim(t, "worker-a", { leaseMs: 60_000 });
    await mutate(t, "queue:heartbeat", { jobId: id, workerId: "worker-a", leaseToken: held.leaseToken, status: "running", leaseMs: 60_000, workerSecret: SECRET });

    clock.advance(59_999);
    expect(await runInternal(t, "queue:reclaimExpired")).toEqual({ reclaimed: 0, dead: 0, cleared: 0 });
    expect((await row(t, id)).status).toBe("running");

    clock.advance(2);
    expect(await runInternal(t, "queue:reclaimExpired")).toEqual({ reclaimed: 1, dead: 0, cleared: 0 });
    const job = await row(t, id);
    expect(job).toMatchObject({ status: "pending", attempts: 1, runAt: clock.now() });
    expect(job.lastError).toContain("worker-a");
    for (const field of ["lockedBy", "leaseUntil", "leaseToken", "claimToken"]) expect(job[field]).toBeUndefined();

    const again = await claim(t, "worker-b");
    expect(again).toMatchObject({ id, attempts: 2 });
  });

  test("a job whose attempts are exhausted becomes dead", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t, { maxAttempts: 2 });
    for (let i = 0; i < 2; i++) {
      expect((await claim(t, `worker-${i}`, { leaseMs: 10_000 })).id).toBe(id);
      clock.advance(10_001);
      await runInternal(t, "queue:reclaimExpired");
    }
    expect(await row(t, id)).toMatchObject({ status: "dead", attempts: 2, completedAt: clock.now() });
    expect(await claim(t)).toBeNull();
  });

  test("leaves live leases, pending and finished jobs alone and clears stale locks of canceled jobs", async () => {
    const clock = useClock();
    const t = newConvex();
    const pending = await enqueue(t, { runAt: clock.now() + 3_600_000 });
    const live = await enqueue(t);
    const canceled = await enqueue(t);
    await claim(t, "worker-live", { leaseMs: 600_000 });
    await claim(t, "worker-gone", { leaseMs: 10_000 });
    await mutate(t, "queue:cancel", { jobId: canceled, workerSecret: SECRET });
    clock.advance(20_000);

    expect(await runInternal(t, "queue:reclaimExpired")).toEqual({ reclaimed: 0, dead: 0, cleared: 1 });
    expect((await row(t, live)).status).toBe("claimed");
    expect((await row(t, pending)).status).toBe("pending");
    const c = await row(t, canceled);
    expect(c).toMatchObject({ status: "canceled", cancelRequested: true });
    expect(c.lockedBy).toBeUndefined();
  });

  test("crons.ts runs reclaimExpired every minute", () => {
    const jobs = Object.values((crons as unknown as { crons: Record<string, any> }).crons);
    const reclaim = jobs.filter((job) => job.name === "queue:reclaimExpired");
    expect(reclaim).toHaveLength(1);
    expect(reclaim[0].schedule).toEqual({ type: "interval", minutes: 1 });
    expect(reclaim[0].args).toEqual([{}]);
  });
});

describe("claimOne takes over expired leases itself", () => {
  test("with no pending job due, a job whose holder stopped heartbeating is claimed at once as its next attempt", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t);
    const crashed = await claim(t, "worker-a", { leaseMs: 60_000 });
    clock.advance(59_999);
    expect(await claim(t, "worker-b")).toBeNull();

    clock.advance(2);
    const taken = await claim(t, "worker-b");
    expect(taken).toMatchObject({ id, attempts: 2 });
    expect(taken.leaseToken).not.toBe(crashed.leaseToken);
    const job = await row(t, id);
    expect(job).toMatchObject({ status: "claimed", lockedBy: "worker-b", attempts: 2 });
    expect(job.lastError).toContain("worker-a");
    // The crashed holder is fenced off.
    expect(await mutate(t, "queue:complete", { jobId: id, workerId: "worker-a", leaseToken: crashed.leaseToken, workerSecret: SECRET }))
      .toEqual({ outcome: "not_held" });
  });

  test("a due pending job goes first; an exhausted expired job becomes dead instead of being claimed", async () => {
    const clock = useClock();
    const t = newConvex();
    const expiring = await enqueue(t, { maxAttempts: 1 });
    await claim(t, "worker-a", { leaseMs: 10_000 });
    const waiting = await enqueue(t);
    clock.advance(10_001);

    expect((await claim(t, "worker-b")).id).toBe(waiting);
    expect(await claim(t, "worker-c")).toBeNull();
    expect(await row(t, expiring)).toMatchObject({ status: "dead", attempts: 1 });
  });
});
