import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { SECRET, claim, configureSecret, enqueue, mutate, newConvex, read, row, seedUserAndRepository, useClock, expectConvexError, resetSecret } from "./support";

beforeEach(() => configureSecret());
afterEach(() => {
  resetSecret();
  vi.restoreAllMocks();
});

describe("job lifecycle", () => {
  test("enqueue, claim, heartbeat, complete", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t, { source: { fullName: "octo/demo", branch: "dev" }, maxAttempts: 3 });

    const claimed = await claim(t, "worker-a", { leaseMs: 60_000 });
    expect(claimed).toMatchObject({
      id,
      prompt: "analyze",
      // attempts counts the attempts started: the claimed one is attempt 1, on the row too
      attempts: 1,
      maxAttempts: 3,
      leaseUntil: clock.now() + 60_000,
      source: { fullName: "octo/demo", branch: "dev" },
    });
    expect(claimed.leaseToken).toMatch(/^[0-9a-f]{32}$/);
    expect(claimed.callbackToken).toMatch(/^[0-9a-f]{32}$/);
    expect(claimed).not.toHaveProperty("userId");
    expect(await row(t, id)).toMatchObject({ status: "claimed", attempts: 1 });

    clock.advance(10_000);
    const beat = await mutate(t, "queue:heartbeat", {
      jobId: id,
      workerId: "worker-a",
      leaseToken: claimed.leaseToken,
      status: "analyzing",
      progress: "Étape 2/6: Analyse des relations entre composants",
      currentStep: 2,
      totalSteps: 6,
      leaseMs: 120_000,
      workerSecret: SECRET,
    });
    expect(beat).toEqual({ success: true, leaseHeld: true, cancelRequested: false, leaseUntil: clock.now() + 120_000 });
    expect(await row(t, id)).toMatchObject({
      status: "analyzing",
      progress: "Étape 2/6: Analyse des relations entre composants",
      currentStep: 2,
      totalSteps: 6,
      leaseUntil: clock.now() + 120_000,
    });

    clock.advance(5_000);
    const done = await mutate(t, "queue:complete", {
      jobId: id,
      workerId: "worker-a",
      leaseToken: claimed.leaseToken,
      result: { success: true, message: "12 documents" },
      docsCount: 12,
      workerSecret: SECRET,
    });
    expect(done).toEqual({ outcome: "completed" });
    const finished = await row(t, id);
    expect(finished).toMatchObject({ status: "completed", docsCount: 12, completedAt: clock.now(), result: { success: true, message: "12 documents" } });
    expect(finished.lockedBy).toBeUndefined();
    expect(finished.leaseToken).toBeUndefined();
    expect(finished.leaseUntil).toBeUndefined();

    // A retried complete (lost response) is harmless.
    expect(
      await mutate(t, "queue:complete", { jobId: id, workerId: "worker-a", leaseToken: claimed.leaseToken, workerSecret: SECRET }),
    ).toEqual({ outcome: "already_completed" });
  });

  test("claims the lowest due runAt first, undated jobs count as due, future jobs wait", async () => {
    const clock = useClock();
    const t = newConvex();
    const later = await enqueue(t, { runAt: clock.now() + 60_000 });
    const second = await enqueue(t, { runAt: clock.now() - 1_000 });
    const first = await enqueue(t, { runAt: clock.now() - 5_000 });
    // A job written by older code has no runAt at all.
    const undated = await t.run(async (ctx) =>
      ctx.db.insert("jobs", { status: "pending", prompt: "p", callbackToken: "cb", createdAt: Date.now() }),
    );

    const created = clock.now();
    // dueAt: since when each job could be claimed (the worker's pickup latency); createdAt when runAt is absent.
    expect(await claim(t, "w1")).toMatchObject({ id: undated, dueAt: created });
    expect(await claim(t, "w2")).toMatchObject({ id: first, dueAt: created - 5_000 });
    expect(await claim(t, "w3")).toMatchObject({ id: second, dueAt: created - 1_000 });
    expect(await claim(t, "w4")).toBeNull();
    clock.advance(60_000);
    expect(await claim(t, "w4")).toMatchObject({ id: later, dueAt: created + 60_000 });
  });

  test("claim returns the repository's name and default branch for web-created jobs", async () => {
    useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const { jobId, callbackToken } = await mutate(t, "jobs:create", { userId, repositoryId, prompt: "Generate" });
    const claimed = await claim(t);
    expect(claimed).toMatchObject({
      id: jobId,
      userId,
      repositoryId,
      callbackToken,
      prompt: "Generate",
      source: { fullName: "octo/demo", branch: "main" },
    });
  });

  test("release gives the job back without spending an attempt", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t);
    const claimed = await claim(t);
    clock.advance(1_000);
    expect(
      await mutate(t, "queue:release", { jobId: id, workerId: "worker-a", leaseToken: claimed.leaseToken, workerSecret: SECRET }),
    ).toEqual({ released: true });
    const job = await row(t, id);
    expect(job).toMatchObject({ status: "pending", attempts: 0, runAt: clock.now() });
    expect(job.lockedBy).toBeUndefined();
    expect(job.leaseToken).toBeUndefined();
    // Released twice: the second call no longer holds anything.
    expect(
      await mutate(t, "queue:release", { jobId: id, workerId: "worker-a", leaseToken: claimed.leaseToken, workerSecret: SECRET }),
    ).toEqual({ released: false });
    // the claim counts it again
    expect((await claim(t, "worker-b")).attempts).toBe(1);
  });

  test("retryOrFail backs off exponentially, honours minDelayMs, ends dead when attempts run out", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t, { maxAttempts: 3 });
    const fail = async (extra: Record<string, unknown> = {}) => {
      const claimed = await claim(t);
      expect(claimed.id).toBe(id);
      return await mutate(t, "queue:retryOrFail", {
        jobId: id,
        workerId: "worker-a",
        leaseToken: claimed.leaseToken,
        error: "clone failed",
        workerSecret: SECRET,
        ...extra,
      });
    };

    const first = await fail();
    expect(first.status).toBe("retrying");
    expect(first.attempts).toBe(1);
    expect(first.nextRunAt - clock.now()).toBeGreaterThanOrEqual(5_000);
    expect(first.nextRunAt - clock.now()).toBeLessThan(10_000);
    expect(await row(t, id)).toMatchObject({ status: "pending", attempts: 1, lastError: "clone failed", runAt: first.nextRunAt });
    expect(await claim(t)).toBeNull(); // not due yet

    clock.advance(first.nextRunAt - clock.now());
    const second = await fail({ minDelayMs: 120_000 });
    expect(second).toEqual({ status: "retrying", attempts: 2, nextRunAt: clock.now() + 120_000 });

    clock.advance(120_000);
    const third = await fail();
    expect(third).toEqual({ status: "dead", attempts: 3 });
    expect(await row(t, id)).toMatchObject({ status: "dead", attempts: 3, error: "clone failed", completedAt: clock.now() });
  });

  test("a non-retryable failure ends the job as failed at once", async () => {
    useClock();
    const t = newConvex();
    const id = await enqueue(t);
    const claimed = await claim(t);
    const result = await mutate(t, "queue:retryOrFail", {
      jobId: id,
      workerId: "worker-a",
      leaseToken: claimed.leaseToken,
      error: "repository not found",
      retryable: false,
      workerSecret: SECRET,
    });
    expect(result).toEqual({ status: "failed", attempts: 1 });
    expect((await row(t, id)).status).toBe("failed");
  });

  test("long errors are cut before they are stored", async () => {
    useClock();
    const t = newConvex();
    const id = await enqueue(t);
    const claimed = await claim(t);
    await mutate(t, "queue:retryOrFail", {
      jobId: id,
      workerId: "worker-a",
      leaseToken: claimed.leaseToken,
      error: "x".repeat(50_000),
      workerSecret: SECRET,
    });
    const stored = (await row(t, id)).lastError as string;
    expect(stored.length).toBeLessThan(4_100);
    expect(stored).toContain("46000 more characters cut");
  });

  test("bad arguments get INVALID_ARGUMENT naming the problem", async () => {
    useClock();
    const t = newConvex();
    const bad = await expectConvexError(claim(t, "worker-a", { leaseMs: 5 }), "INVALID_ARGUMENT");
    expect(bad.message).toContain("leaseMs");
    await expectConvexError(claim(t, "  "), "INVALID_ARGUMENT");
    await expectConvexError(enqueue(t, { source: {} }), "INVALID_ARGUMENT");
    await expectConvexError(enqueue(t, { source: { url: "u", fullName: "a/b" } }), "INVALID_ARGUMENT");
    await expectConvexError(enqueue(t, { maxAttempts: 0 }), "INVALID_ARGUMENT");
    await expectConvexError(read(t, "queue:listJobs", { limit: 0, workerSecret: SECRET }), "INVALID_ARGUMENT");
  });

  test("enqueue with a dedupe key returns the active job instead of a duplicate", async () => {
    useClock();
    const t = newConvex();
    const a = await enqueue(t, { dedupeKey: "octo/demo@main" });
    expect(await enqueue(t, { dedupeKey: "octo/demo@main" })).toBe(a);
    const claimed = await claim(t);
    expect(await enqueue(t, { dedupeKey: "octo/demo@main" })).toBe(a); // still active while claimed
    await mutate(t, "queue:complete", { jobId: a, workerId: "worker-a", leaseToken: claimed.leaseToken, workerSecret: SECRET });
    const b = await enqueue(t, { dedupeKey: "octo/demo@main" });
    expect(b).not.toBe(a);
  });

  test("getJob and listJobs return snapshots without tokens, newest first", async () => {
    const clock = useClock();
    const t = newConvex();
    const first = await enqueue(t);
    clock.advance(1);
    const second = await enqueue(t);
    await claim(t, "worker-a", { claimToken: "claim-1" });

    const snapshot = await read(t, "queue:getJob", { jobId: first, workerSecret: SECRET });
    expect(snapshot).toMatchObject({ id: first, status: "claimed", lockedBy: "worker-a", source: { url: "https://example.test/repo.git" } });
    for (const secret of ["callbackToken", "leaseToken", "claimToken"]) expect(snapshot).not.toHaveProperty(secret);

    const all = await read(t, "queue:listJobs", { workerSecret: SECRET });
    expect(all.map((j: any) => j.id)).toEqual([second, first]);
    const pending = await read(t, "queue:listJobs", { status: "pending", workerSecret: SECRET });
    expect(pending.map((j: any) => j.id)).toEqual([second]);
    expect(await read(t, "queue:listJobs", { limit: 1, workerSecret: SECRET })).toHaveLength(1);

    expect(await read(t, "queue:getJob", { jobId: "not-an-id", workerSecret: SECRET })).toBeNull();
  });

  test("capabilities announce the API version", async () => {
    const t = newConvex();
    const caps = await read(t, "queue:capabilities");
    expect(caps).toMatchObject({ api: "fondation-queue", version: 3 });
    expect(caps.features).toEqual(expect.arrayContaining(["lease-token", "claim-token", "worker-secret", "attempts-started"]));
  });
});
