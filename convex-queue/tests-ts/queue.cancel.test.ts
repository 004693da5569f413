import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { SECRET, claim, configureSecret, enqueue, mutate, newConvex, read, row, seedUserAndRepository, useClock, resetSecret } from "./support";

beforeEach(() => configureSecret());
afterEach(() => {
  resetSecret();
  vi.restoreAllMocks();
});

describe("cancellation requested by the web app", () => {
  test("a pending job is canceled at once and never claimed", async () => {
    useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const { jobId } = await mutate(t, "jobs:create", { userId, repositoryId, prompt: "p" });
    expect(await mutate(t, "jobs:requestCancel", { jobId })).toEqual({ success: true });
    expect(await row(t, jobId)).toMatchObject({ status: "canceled", cancelRequested: true });
    expect(await claim(t)).toBeNull();
  });

  test("the holder learns it from its heartbeat, and complete does not overwrite it", async () => {
    useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const { jobId } = await mutate(t, "jobs:create", { userId, repositoryId, prompt: "p" });
    const held = await claim(t, "worker-a");
    const lease = { jobId, workerId: "worker-a", leaseToken: held.leaseToken, workerSecret: SECRET };
    await mutate(t, "queue:heartbeat", { ...lease, status: "analyzing", progress: "step 2" });

    await mutate(t, "jobs:requestCancel", { jobId });
    expect((await row(t, jobId)).status).toBe("canceled");

    const beat = await mutate(t, "queue:heartbeat", { ...lease, status: "running", progress: "step 3", currentStep: 3 });
    expect(beat).toMatchObject({ success: true, leaseHeld: true, cancelRequested: true });
    expect(await row(t, jobId)).toMatchObject({ status: "canceled", progress: "step 2" });

    // Documents of a canceled job are refused.
    expect(
      await mutate(t, "queue:saveDocuments", { ...lease, files: [{ slug: "a.md", title: "A", content: "x", kind: "chapter", chapterIndex: 1 }] }),
    ).toMatchObject({ saved: 0, leaseHeld: false });

    expect(await mutate(t, "queue:complete", { ...lease, result: { success: true } })).toEqual({ outcome: "canceled" });
    const job = await row(t, jobId);
    expect(job).toMatchObject({ status: "canceled", cancelRequested: true });
    expect(job.result).toBeUndefined();
    expect(job.lockedBy).toBeUndefined();
  });

  test("a job the web app cancels keeps the attempt it was canceled in, not an earlier attempt's error", async () => {
    const clock = useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const { jobId } = await mutate(t, "jobs:create", { userId, repositoryId, prompt: "p" });
    const first = await claim(t, "worker-a");
    const failed = await mutate(t, "queue:retryOrFail", {
      jobId, workerId: "worker-a", leaseToken: first.leaseToken, error: "the first attempt's failure", workerSecret: SECRET,
    });
    clock.advance(failed.nextRunAt - clock.now());
    const second = await claim(t, "worker-a");
    expect(second.attempts).toBe(2);
    expect((await row(t, jobId)).lastError).toBe("the first attempt's failure");

    await mutate(t, "jobs:requestCancel", { jobId });
    // The holder stops and gives the lock back.
    expect(
      await mutate(t, "queue:release", { jobId, workerId: "worker-a", leaseToken: second.leaseToken, workerSecret: SECRET }),
    ).toEqual({ released: false });

    const job = await row(t, jobId);
    expect(job).toMatchObject({ status: "canceled", attempts: 2, error: "Job cancelled by user" });
    expect(job.lastError).toBeUndefined();
    for (const field of ["lockedBy", "leaseUntil", "leaseToken", "claimToken"]) expect(job[field]).toBeUndefined();
  });

  test("retryOrFail and release of a canceled job keep it canceled", async () => {
    useClock();
    const t = newConvex();
    for (const call of ["queue:retryOrFail", "queue:release"]) {
      const id = await enqueue(t);
      const held = await claim(t);
      await mutate(t, "queue:cancel", { jobId: id, workerSecret: SECRET });
      const lease = { jobId: id, workerId: "worker-a", leaseToken: held.leaseToken, workerSecret: SECRET };
      const result = await mutate(t, call, call === "queue:release" ? lease : { ...lease, error: "stopped" });
      // The cancellation stands in the attempt it was made in (attempt 1, counted by the claim).
      expect(result).toEqual(call === "queue:release" ? { released: false } : { status: "not_held", attempts: 1 });
      const job = await row(t, id);
      expect(job.status).toBe("canceled");
      expect(job.attempts).toBe(1);
      for (const field of ["lockedBy", "leaseUntil", "leaseToken", "claimToken"]) expect(job[field]).toBeUndefined();
    }
  });

  test("queue:cancel: pending → canceled, leased → canceled with cancelRequested, terminal → false", async () => {
    useClock();
    const t = newConvex();
    const pending = await enqueue(t, { runAt: Date.now() + 60_000 });
    const leased = await enqueue(t);
    await claim(t);
    expect(await mutate(t, "queue:cancel", { jobId: pending, workerSecret: SECRET })).toEqual({ canceled: true });
    expect(await mutate(t, "queue:cancel", { jobId: leased, workerSecret: SECRET })).toEqual({ canceled: true });
    expect(await row(t, leased)).toMatchObject({ status: "canceled", cancelRequested: true, lockedBy: "worker-a" });
    expect(await mutate(t, "queue:cancel", { jobId: pending, workerSecret: SECRET })).toEqual({ canceled: false });
    expect(await mutate(t, "queue:cancel", { jobId: "no-such-job", workerSecret: SECRET })).toEqual({ canceled: false });
    await expect(mutate(t, "jobs:requestCancel", { jobId: pending })).rejects.toThrow(/not active/);
  });

  test("updateStatus('canceled') with the callback token is a cancellation request", async () => {
    useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const { jobId, callbackToken } = await mutate(t, "jobs:create", { userId, repositoryId, prompt: "p" });
    const held = await claim(t);
    await expect(mutate(t, "jobs:updateStatus", { jobId, status: "canceled", callbackToken: "wrong" })).rejects.toThrow(
      /Invalid callback token/,
    );
    expect(await mutate(t, "jobs:updateStatus", { jobId, status: "canceled", callbackToken })).toEqual({ success: true });
    const beat = await mutate(t, "queue:heartbeat", { jobId, workerId: "worker-a", leaseToken: held.leaseToken, workerSecret: SECRET });
    expect(beat).toMatchObject({ leaseHeld: true, cancelRequested: true });
    // A late status update does not revive it.
    await mutate(t, "jobs:updateStatus", { jobId, status: "completed", callbackToken });
    expect((await row(t, jobId)).status).toBe("canceled");
  });

  test("regenerate cancels the repository's active job and queues a new one", async () => {
    useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const { jobId: old } = await mutate(t, "jobs:create", { userId, repositoryId, prompt: "p" });
    await claim(t);
    await expect(mutate(t, "jobs:create", { userId, repositoryId, prompt: "p" })).rejects.toThrow(/already running/);
    const { jobId: fresh, callbackToken } = await mutate(t, "jobs:regenerate", { repositoryId });
    expect(typeof callbackToken).toBe("string");
    expect(await row(t, old)).toMatchObject({ status: "canceled", cancelRequested: true });
    expect(await row(t, fresh)).toMatchObject({ status: "pending", userId, repositoryId });
    const jobs = await read(t, "jobs:listUserJobs", { userId });
    expect(jobs.map((j: any) => j._id)).toEqual([fresh, old]);
  });
});
