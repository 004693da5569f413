import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { SECRET, claim, configureSecret, enqueue, mutate, newConvex, read, row, runInternal, useClock, resetSecret } from "./support";

beforeEach(() => configureSecret());
afterEach(() => {
  resetSecret();
  vi.restoreAllMocks();
});

const LEASE = 60_000;

/** A job claimed by worker-a whose lease expired, was reclaimed and then claimed by `nextWorker`. */
async function lostLease(nextWorker: string) {
  const clock = useClock();
  const t = newConvex();
  const id = await enqueue(t);
  const stale = await claim(t, "worker-a", { leaseMs: LEASE });
  clock.advance(LEASE + 1);
  await runInternal(t, "queue:reclaimExpired");
  const fresh = await claim(t, nextWorker, { leaseMs: LEASE });
  expect(fresh.id).toBe(id);
  expect(fresh.leaseToken).not.toBe(stale.leaseToken);
  return { t, clock, id, stale, fresh };
}

describe("fencing: a holder that lost its lease changes nothing", () => {
  for (const nextWorker of ["worker-b", "worker-a"]) {
    test(`after the job was claimed again by ${nextWorker}`, async () => {
      const { t, id, stale, fresh } = await lostLease(nextWorker);
      const before = await row(t, id);
      const staleArgs = { jobId: id, workerId: "worker-a", leaseToken: stale.leaseToken, workerSecret: SECRET };

      expect(
        await mutate(t, "queue:heartbeat", { ...staleArgs, status: "running", progress: "stale", currentStep: 5 }),
      ).toEqual({ success: true, leaseHeld: false, cancelRequested: false });
      expect(await mutate(t, "queue:saveDocuments", { ...staleArgs, files: [{ slug: "a.md", title: "A", content: "x", kind: "chapter", chapterIndex: 1 }] }))
        .toMatchObject({ saved: 0, leaseHeld: false });
      expect(await mutate(t, "queue:complete", { ...staleArgs, result: { success: true } })).toEqual({ outcome: "not_held" });
      expect(await mutate(t, "queue:retryOrFail", { ...staleArgs, error: "boom" })).toEqual({ status: "not_held", attempts: 2 });
      expect(await mutate(t, "queue:release", staleArgs)).toEqual({ released: false });

      expect(await row(t, id)).toEqual(before);
      expect(await read(t, "queue:listDocuments", { jobId: id, workerSecret: SECRET })).toEqual([]);

      // The current holder is unaffected.
      expect(
        await mutate(t, "queue:heartbeat", { jobId: id, workerId: nextWorker, leaseToken: fresh.leaseToken, workerSecret: SECRET }),
      ).toMatchObject({ leaseHeld: true });
    });
  }

  for (const nextWorker of ["worker-b", "worker-a"]) {
    test(`once ${nextWorker} completed the job, the stale holder's complete is not_held, the new holder's repeat already_completed`, async () => {
      const { t, id, stale, fresh } = await lostLease(nextWorker);
      const freshArgs = { jobId: id, workerId: nextWorker, leaseToken: fresh.leaseToken, workerSecret: SECRET };
      expect(await mutate(t, "queue:complete", { ...freshArgs, docsCount: 3 })).toEqual({ outcome: "completed" });
      const done = await row(t, id);

      expect(
        await mutate(t, "queue:complete", { jobId: id, workerId: "worker-a", leaseToken: stale.leaseToken, workerSecret: SECRET }),
      ).toEqual({ outcome: "not_held" });
      expect(await mutate(t, "queue:complete", freshArgs)).toEqual({ outcome: "already_completed" });
      expect(await row(t, id)).toEqual(done);
      // The record of who completed the job is not public.
      expect(await read(t, "queue:getJob", { jobId: id, workerSecret: SECRET })).not.toHaveProperty("completedBy");
    });
  }

  test("without a lease token (the old argument shape) only the completing worker id gets already_completed", async () => {
    useClock();
    const t = newConvex();
    const id = await enqueue(t);
    await claim(t, "worker-a");
    expect(await mutate(t, "queue:complete", { jobId: id, workerId: "worker-a", workerSecret: SECRET })).toEqual({ outcome: "completed" });
    expect(await mutate(t, "queue:complete", { jobId: id, workerId: "worker-a", workerSecret: SECRET })).toEqual({ outcome: "already_completed" });
    expect(await mutate(t, "queue:complete", { jobId: id, workerId: "worker-b", workerSecret: SECRET })).toEqual({ outcome: "not_held" });
  });

  test("a wrong lease token is refused even for the worker holding the job", async () => {
    useClock();
    const t = newConvex();
    const id = await enqueue(t);
    await claim(t, "worker-a");
    const args = { jobId: id, workerId: "worker-a", leaseToken: "forged", workerSecret: SECRET };
    expect(await mutate(t, "queue:heartbeat", args)).toMatchObject({ leaseHeld: false });
    expect(await mutate(t, "queue:complete", args)).toEqual({ outcome: "not_held" });
    expect((await row(t, id)).status).toBe("claimed");
  });

  test("another worker id is refused", async () => {
    useClock();
    const t = newConvex();
    const id = await enqueue(t);
    const held = await claim(t, "worker-a");
    expect(
      await mutate(t, "queue:complete", { jobId: id, workerId: "worker-b", leaseToken: held.leaseToken, workerSecret: SECRET }),
    ).toEqual({ outcome: "not_held" });
    expect(await mutate(t, "queue:heartbeat", { jobId: id, workerId: "worker-b", workerSecret: SECRET })).toMatchObject({
      leaseHeld: false,
    });
  });

  test("calls without a lease token (existing argument shape) are checked by worker id", async () => {
    useClock();
    const t = newConvex();
    const id = await enqueue(t);
    await claim(t, "worker-a");
    expect(await mutate(t, "queue:heartbeat", { jobId: id, workerId: "worker-a", progress: "p", workerSecret: SECRET })).toMatchObject({
      leaseHeld: true,
    });
    expect(await mutate(t, "queue:complete", { jobId: id, workerId: "worker-a", workerSecret: SECRET })).toEqual({
      outcome: "completed",
    });
  });

  test("a holder whose lease ran out but was not reclaimed yet may still extend it", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t);
    const held = await claim(t, "worker-a", { leaseMs: LEASE });
    clock.advance(LEASE + 5_000);
    const beat = await mutate(t, "queue:heartbeat", { jobId: id, workerId: "worker-a", leaseToken: held.leaseToken, leaseMs: LEASE, workerSecret: SECRET });
    expect(beat).toEqual({ success: true, leaseHeld: true, cancelRequested: false, leaseUntil: clock.now() + LEASE });
  });

  test("writes to a job that does not exist report not held", async () => {
    useClock();
    const t = newConvex();
    const id = await enqueue(t);
    await t.run(async (ctx) => ctx.db.delete(id as any));
    const args = { jobId: id, workerId: "worker-a", leaseToken: "t", workerSecret: SECRET };
    expect(await mutate(t, "queue:heartbeat", args)).toEqual({ success: true, leaseHeld: false, cancelRequested: false });
    expect(await mutate(t, "queue:complete", args)).toEqual({ outcome: "not_held" });
    expect(await mutate(t, "queue:heartbeat", { ...args, jobId: "garbage" })).toMatchObject({ leaseHeld: false });
  });
});

describe("claim token: a claim whose response was lost is answered again", () => {
  test("the same token returns the same job and lease, without claiming another job", async () => {
    useClock();
    const t = newConvex();
    const first = await enqueue(t);
    const other = await enqueue(t);
    const a = await claim(t, "worker-a", { claimToken: "c-1" });
    const again = await claim(t, "worker-a", { claimToken: "c-1" });
    // Everything but dueAt, which only the first answer knows (the pickup latency is measured once).
    const { dueAt, ...claimed } = a;
    expect(dueAt).toBeTypeOf("number");
    expect(again).toEqual(claimed);
    expect(a.id).toBe(first);
    expect((await row(t, other)).status).toBe("pending");
    // A new token claims the next job.
    expect((await claim(t, "worker-a", { claimToken: "c-2" })).id).toBe(other);
  });

  test("another worker using the same token gets a job of its own", async () => {
    useClock();
    const t = newConvex();
    const first = await enqueue(t);
    const second = await enqueue(t);
    expect((await claim(t, "worker-a", { claimToken: "same" })).id).toBe(first);
    expect((await claim(t, "worker-b", { claimToken: "same" })).id).toBe(second);
  });

  test("the token of a finished claim does not return the finished job", async () => {
    useClock();
    const t = newConvex();
    const first = await enqueue(t);
    const a = await claim(t, "worker-a", { claimToken: "c-1" });
    await mutate(t, "queue:complete", { jobId: first, workerId: "worker-a", leaseToken: a.leaseToken, workerSecret: SECRET });
    expect(await claim(t, "worker-a", { claimToken: "c-1" })).toBeNull();
    const second = await enqueue(t);
    expect((await claim(t, "worker-a", { claimToken: "c-1" })).id).toBe(second);
  });
});
