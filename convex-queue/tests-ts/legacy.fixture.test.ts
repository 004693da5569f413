import { convexTest } from "convex-test";
import { afterEach, describe, expect, test, vi } from "vitest";
import legacySchema from "../src/test/legacy-convex/schema";
import { START, mutationRef, queryRef, useClock } from "./support";

/*
 * The legacy fixture (src/test/legacy-convex) against the facts of the EXISTING deployment, one by one.
 *
 * Reference: shared/reference/fondation-system.md, §1 "Exact behaviour of the existing functions"
 * (and the queue functions table above it). Each test below names the fact it pins. A fixture that
 * drifts from these facts hides defects from every Java test of the compatibility mode: a hand-made
 * fixture once answered `nextRunAt` as a number where the real function answers an ISO-8601 string.
 * Do not relax a test here to make a fixture change pass; change the fixture only when the reference does.
 * legacy.server.test.ts checks the same fixture behind the test server, over HTTP.
 */

const legacyModules = import.meta.glob("../src/test/legacy-convex/**/*.*s");
const NOT_OWNED = "Job not found or not owned by worker";

function newLegacy() {
  return convexTest(legacySchema, legacyModules);
}
type Legacy = ReturnType<typeof newLegacy>;

const mutate = async (t: Legacy, path: string, args: Record<string, unknown> = {}): Promise<any> =>
  await t.mutation(mutationRef(path), args);
const read = async (t: Legacy, path: string, args: Record<string, unknown> = {}): Promise<any> =>
  await t.query(queryRef(path), args);
const row = async (t: Legacy, id: string): Promise<any> => await t.run(async (ctx) => await ctx.db.get(id as any));

/** What a failing call threw (it must throw). */
async function thrown(promise: Promise<unknown>): Promise<Error> {
  return await promise.then(
    () => {
      throw new Error("expected the call to throw, but it succeeded");
    },
    (e: unknown) => e as Error,
  );
}

/** A user, a repository, and `extra` jobs inserted as rows (the web app's `jobs:create` sets no `runAt`/`attempts`). */
async function seed(t: Legacy) {
  return await t.run(async (ctx) => {
    const userId = await ctx.db.insert("users", { githubId: "9", username: "octo", createdAt: 1 });
    const repositoryId = await ctx.db.insert("repositories", {
      userId,
      githubRepoId: "1",
      name: "demo",
      fullName: "octo/demo",
      defaultBranch: "main",
    });
    return { userId, repositoryId };
  });
}

async function insertJob(t: Legacy, fields: Record<string, unknown>): Promise<string> {
  const { userId, repositoryId } = await seed(t);
  return await t.run(
    async (ctx) =>
      await ctx.db.insert("jobs", {
        userId,
        repositoryId,
        status: "pending",
        prompt: "Generate",
        callbackToken: "cb-test",
        createdAt: Date.now(),
        ...fields,
      } as any),
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("queue:claimOne (reference: returns null or {id, repositoryId, userId, prompt, callbackToken, attempts})", () => {
  test("returns null when nothing is pending", async () => {
    useClock();
    const t = newLegacy();
    expect(await mutate(t, "queue:claimOne", { workerId: "w" })).toBeNull();
  });

  test("returns exactly the six fields, attempts absent on a new job, and claims under a lease", async () => {
    const clock = useClock();
    const t = newLegacy();
    const id = await insertJob(t, {});
    const claimed = await mutate(t, "queue:claimOne", { workerId: "w", leaseMs: 60_000 });
    const job = await row(t, id);
    expect(claimed).toEqual({
      id,
      repositoryId: job.repositoryId,
      userId: job.userId,
      prompt: "Generate",
      callbackToken: "cb-test",
    });
    expect(Object.keys(claimed).sort()).toEqual(["callbackToken", "id", "prompt", "repositoryId", "userId"]);
    expect(job).toMatchObject({ status: "claimed", lockedBy: "w", leaseUntil: clock.now() + 60_000 });
    expect(job.attempts).toBeUndefined();
  });

  test("the lease defaults to 300000 ms", async () => {
    const clock = useClock();
    const t = newLegacy();
    const id = await insertJob(t, {});
    await mutate(t, "queue:claimOne", { workerId: "w" });
    expect((await row(t, id)).leaseUntil).toBe(clock.now() + 300_000);
  });

  test("returns the stored attempts and never changes them", async () => {
    useClock();
    const t = newLegacy();
    const id = await insertJob(t, { attempts: 2, runAt: START });
    expect((await mutate(t, "queue:claimOne", { workerId: "w" })).attempts).toBe(2);
    expect((await row(t, id)).attempts).toBe(2);
  });

  test("takes only pending jobs with runAt <= now, lowest runAt first", async () => {
    const clock = useClock();
    const t = newLegacy();
    const later = await insertJob(t, { runAt: clock.now() + 1 });
    const second = await insertJob(t, { runAt: clock.now() });
    const first = await insertJob(t, { runAt: clock.now() - 10 });
    await insertJob(t, { status: "failed", runAt: 0 });
    expect((await mutate(t, "queue:claimOne", { workerId: "w" })).id).toBe(first);
    expect((await mutate(t, "queue:claimOne", { workerId: "w" })).id).toBe(second);
    expect(await mutate(t, "queue:claimOne", { workerId: "w" })).toBeNull();
    clock.advance(1);
    expect((await mutate(t, "queue:claimOne", { workerId: "w" })).id).toBe(later);
  });

  test("never takes over an expired lease", async () => {
    const clock = useClock();
    const t = newLegacy();
    const id = await insertJob(t, {});
    await mutate(t, "queue:claimOne", { workerId: "gone", leaseMs: 1_000 });
    clock.advance(60_000);
    expect(await mutate(t, "queue:claimOne", { workerId: "w" })).toBeNull();
    expect(await row(t, id)).toMatchObject({ status: "claimed", lockedBy: "gone" });
  });
});

describe("queue:heartbeat, complete, retryOrFail throw Error('Job not found or not owned by worker') when lockedBy differs", () => {
  test.each([
    ["queue:heartbeat", {}],
    ["queue:complete", {}],
    ["queue:retryOrFail", { error: "boom" }],
  ])("%s: another worker, an unclaimed job, a deleted job", async (path, extra) => {
    useClock();
    const t = newLegacy();
    const id = await insertJob(t, {});
    const unclaimed = await thrown(mutate(t, path, { jobId: id, workerId: "w", ...extra }));
    expect(unclaimed.message).toBe(NOT_OWNED);
    await mutate(t, "queue:claimOne", { workerId: "w" });
    const before = await row(t, id);
    const other = await thrown(mutate(t, path, { jobId: id, workerId: "someone-else", ...extra }));
    expect(other).toBeInstanceOf(Error);
    expect(other.message).toBe(NOT_OWNED);
    expect(await row(t, id)).toEqual(before);
    await t.run(async (ctx) => await ctx.db.delete(id as any));
    expect((await thrown(mutate(t, path, { jobId: id, workerId: "w", ...extra }))).message).toBe(NOT_OWNED);
  });
});

describe("queue:heartbeat (reference: patches the given fields, leaseUntil = now + leaseMs, returns {success: true})", () => {
  test("patches status, progress and steps and renews the lease", async () => {
    const clock = useClock();
    const t = newLegacy();
    const id = await insertJob(t, {});
    await mutate(t, "queue:claimOne", { workerId: "w", leaseMs: 10_000 });
    clock.advance(5_000);
    const answer = await mutate(t, "queue:heartbeat", {
      jobId: id,
      workerId: "w",
      status: "analyzing",
      progress: "Étape 2/6",
      currentStep: 2,
      totalSteps: 6,
      leaseMs: 20_000,
    });
    expect(answer).toEqual({ success: true });
    expect(await row(t, id)).toMatchObject({
      status: "analyzing",
      progress: "Étape 2/6",
      currentStep: 2,
      totalSteps: 6,
      leaseUntil: clock.now() + 20_000,
    });
  });

  test("ignores an empty progress string", async () => {
    useClock();
    const t = newLegacy();
    const id = await insertJob(t, {});
    await mutate(t, "queue:claimOne", { workerId: "w" });
    await mutate(t, "queue:heartbeat", { jobId: id, workerId: "w", progress: "Étape 3/6" });
    await mutate(t, "queue:heartbeat", { jobId: id, workerId: "w", progress: "" });
    expect((await row(t, id)).progress).toBe("Étape 3/6");
  });
});

describe("queue:complete (reference: overwrites any status, canceled included; returns {success: true})", () => {
  test("completes the held job and clears the lock", async () => {
    const clock = useClock();
    const t = newLegacy();
    const id = await insertJob(t, {});
    await mutate(t, "queue:claimOne", { workerId: "w" });
    const answer = await mutate(t, "queue:complete", { jobId: id, workerId: "w", result: { success: true, message: "ok" }, docsCount: 3 });
    expect(answer).toEqual({ success: true });
    const job = await row(t, id);
    expect(job).toMatchObject({ status: "completed", docsCount: 3, result: { success: true, message: "ok" }, completedAt: clock.now() });
    expect(job.lockedBy).toBeUndefined();
    expect(job.leaseUntil).toBeUndefined();
  });

  test("overwrites a cancellation", async () => {
    useClock();
    const t = newLegacy();
    const id = await insertJob(t, {});
    await mutate(t, "queue:claimOne", { workerId: "w" });
    await mutate(t, "jobs:requestCancel", { jobId: id });
    expect((await row(t, id)).status).toBe("canceled");
    expect(await mutate(t, "queue:complete", { jobId: id, workerId: "w" })).toEqual({ success: true });
    expect((await row(t, id)).status).toBe("completed");
  });
});

describe("queue:retryOrFail (reference: {status:'retrying', attempts, nextRunAt: ISO-8601} or {status:'dead', attempts})", () => {
  test("retrying: attempts + 1 stored, pending again after the backoff, nextRunAt an ISO-8601 string", async () => {
    const clock = useClock();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const t = newLegacy();
    const id = await insertJob(t, { attempts: 1, maxAttempts: 5 });
    await mutate(t, "queue:claimOne", { workerId: "w" });
    const answer = await mutate(t, "queue:retryOrFail", { jobId: id, workerId: "w", error: "network down" });
    const runAt = clock.now() + 5000 * 2 ** 1 + 0.5 * 5000;
    expect(answer).toEqual({ status: "retrying", attempts: 2, nextRunAt: new Date(runAt).toISOString() });
    expect(typeof answer.nextRunAt).toBe("string");
    expect(answer.nextRunAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const job = await row(t, id);
    expect(job).toMatchObject({ status: "pending", attempts: 2, lastError: "network down", runAt });
    expect(job.lockedBy).toBeUndefined();
    expect(job.leaseUntil).toBeUndefined();
  });

  test("the backoff is min(5000·2^(attempts-1), 600000) + random·5000", async () => {
    const clock = useClock();
    vi.spyOn(Math, "random").mockReturnValue(0);
    const t = newLegacy();
    const id = await insertJob(t, { attempts: 10, maxAttempts: 20 });
    await mutate(t, "queue:claimOne", { workerId: "w" });
    const answer = await mutate(t, "queue:retryOrFail", { jobId: id, workerId: "w", error: "e" });
    expect(answer.nextRunAt).toBe(new Date(clock.now() + 600_000).toISOString());
  });

  test("dead: status, error, lastError, completedAt set and the lease cleared, but the new attempts NOT stored", async () => {
    const clock = useClock();
    const t = newLegacy();
    const id = await insertJob(t, { attempts: 4, maxAttempts: 5 });
    await mutate(t, "queue:claimOne", { workerId: "w" });
    const answer = await mutate(t, "queue:retryOrFail", { jobId: id, workerId: "w", error: "still broken" });
    expect(answer).toEqual({ status: "dead", attempts: 5 });
    const job = await row(t, id);
    expect(job).toMatchObject({ status: "dead", error: "still broken", lastError: "still broken", completedAt: clock.now() });
    expect(job.attempts).toBe(4);
    expect(job.lockedBy).toBeUndefined();
    expect(job.leaseUntil).toBeUndefined();
  });

  test("maxAttempts defaults to 5 and attempts to 0", async () => {
    useClock();
    const t = newLegacy();
    const id = await insertJob(t, {});
    await mutate(t, "queue:claimOne", { workerId: "w" });
    expect(await mutate(t, "queue:retryOrFail", { jobId: id, workerId: "w", error: "e" })).toMatchObject({ status: "retrying", attempts: 1 });
    await t.run(async (ctx) => await ctx.db.patch(id as any, { attempts: 4, runAt: 0 }));
    await mutate(t, "queue:claimOne", { workerId: "w" });
    expect(await mutate(t, "queue:retryOrFail", { jobId: id, workerId: "w", error: "e" })).toEqual({ status: "dead", attempts: 5 });
  });
});

describe("queue:reclaimExpired (reference: internal; leaseUntil <= now and leased → pending, attempts + 1, runAt = now, lastError, lock cleared; {reclaimed, checked}; never scheduled)", () => {
  test("spends an attempt on every expired lease, due at once, with the reason in lastError", async () => {
    const clock = useClock();
    const t = newLegacy();
    const expired = await insertJob(t, { attempts: 1, runAt: START });
    await mutate(t, "queue:claimOne", { workerId: "gone", leaseMs: 1_000 });
    const live = await insertJob(t, { runAt: START });
    await mutate(t, "queue:claimOne", { workerId: "alive", leaseMs: 600_000 });
    clock.advance(2_000);
    expect(await mutate(t, "queue:reclaimExpired")).toEqual({ reclaimed: 1, checked: 1 });
    const job = await row(t, expired);
    expect(job).toMatchObject({ status: "pending", attempts: 2, runAt: clock.now(), lastError: "Lease expired - worker likely crashed" });
    expect(job.lockedBy).toBeUndefined();
    expect(job.leaseUntil).toBeUndefined();
    expect((await row(t, live)).status).toBe("claimed");
    expect((await mutate(t, "queue:claimOne", { workerId: "w" })).id).toBe(expired);
  });

  test("a lease that ends exactly now is expired (leaseUntil <= now); a job that never had attempts gets 1", async () => {
    const clock = useClock();
    const t = newLegacy();
    const id = await insertJob(t, {});
    await mutate(t, "queue:claimOne", { workerId: "gone", leaseMs: 1_000 });
    clock.advance(999);
    expect(await mutate(t, "queue:reclaimExpired")).toEqual({ reclaimed: 0, checked: 0 });
    clock.advance(1);
    expect(await mutate(t, "queue:reclaimExpired")).toEqual({ reclaimed: 1, checked: 1 });
    expect((await row(t, id)).attempts).toBe(1);
  });

  test("every leased status is reclaimed, never made dead however many attempts were spent; other statuses are left alone", async () => {
    const clock = useClock();
    const t = newLegacy();
    const leased = [];
    for (const status of ["claimed", "cloning", "analyzing", "gathering", "running"]) {
      leased.push(await insertJob(t, { status, lockedBy: "gone", leaseUntil: clock.now() - 1, attempts: 4, maxAttempts: 5 }));
    }
    const canceled = await insertJob(t, { status: "canceled", lockedBy: "gone", leaseUntil: clock.now() - 1 });
    expect(await mutate(t, "queue:reclaimExpired")).toEqual({ reclaimed: 5, checked: 6 });
    for (const id of leased) expect(await row(t, id)).toMatchObject({ status: "pending", attempts: 5 });
    expect(await row(t, canceled)).toMatchObject({ status: "canceled", lockedBy: "gone" });
  });

  test("is internal and nothing schedules it (no crons module)", async () => {
    const fixture = await import("../src/test/legacy-convex/queue");
    expect((fixture.reclaimExpired as unknown as { isInternal: boolean }).isInternal).toBe(true);
    expect(Object.keys(legacyModules).some((path) => /crons\.[jt]s$/.test(path))).toBe(false);
    for (const name of ["claimOne", "heartbeat", "complete", "retryOrFail", "createJob", "getMetrics"]) {
      expect((fixture as unknown as Record<string, { isPublic: boolean }>)[name].isPublic, name).toBe(true);
    }
  });
});

describe("queue:getMetrics (reference: exactly {counts: {pending, processing, completed, failed, dead}, recentActivity: {total, completed, failed}, timestamp})", () => {
  test("counts by status; processing is claimed only; recent activity over the last hour, failed including dead", async () => {
    const clock = useClock();
    const t = newLegacy();
    const now = clock.now();
    for (const [status, n] of [["pending", 3], ["claimed", 2], ["analyzing", 4], ["completed", 1], ["failed", 2], ["dead", 1], ["canceled", 1]] as const) {
      for (let i = 0; i < n; i++) await insertJob(t, { status, updatedAt: now - 1_000 });
    }
    await insertJob(t, { status: "completed", updatedAt: now - 3_600_001 });
    const metrics = await read(t, "queue:getMetrics");
    expect(Object.keys(metrics).sort()).toEqual(["counts", "recentActivity", "timestamp"]);
    expect(metrics.byStatus).toBeUndefined();
    expect(metrics.counts).toEqual({ pending: 3, processing: 2, completed: 2, failed: 2, dead: 1 });
    expect(metrics.recentActivity).toEqual({ total: 14, completed: 1, failed: 3 });
    expect(metrics.timestamp).toBe(now);
  });

  test("each count stops at 100 (the length of take(100)), and so does recent activity", async () => {
    useClock();
    const t = newLegacy();
    const { userId, repositoryId } = await seed(t);
    await t.run(async (ctx) => {
      for (let i = 0; i < 130; i++) {
        await ctx.db.insert("jobs", { userId, repositoryId, status: "pending", prompt: "p", callbackToken: "cb", createdAt: 1, updatedAt: Date.now() });
      }
    });
    const metrics = await read(t, "queue:getMetrics");
    expect(metrics.counts.pending).toBe(100);
    expect(metrics.recentActivity.total).toBe(100);
  });
});

describe("docs:upsertFromJob (reference: patches the job, then deletes every other completed job's documents; returns {docsCount, docIds, stats})", () => {
  const chapter = (index: number, content = `# Chapter ${index}\n`) => ({
    slug: `chapters/chapter_${index}_c.md`,
    title: `Chapter ${index}`,
    chapterIndex: index,
    content,
    kind: "chapter" as const,
  });

  test("stores the files, rejects empty chapters, patches the job and returns {docsCount, docIds, stats}", async () => {
    useClock();
    const t = newLegacy();
    const id = await insertJob(t, { status: "running", lockedBy: "w" });
    const job = await row(t, id);
    const result = await mutate(t, "docs:upsertFromJob", {
      jobId: id,
      repositoryId: job.repositoryId,
      runId: "run-1",
      files: [chapter(1), chapter(2, " ")],
      summary: { chaptersCount: 2, tutorialsCount: 0, generatedAt: 12_345 },
    });
    expect(Object.keys(result).sort()).toEqual(["docIds", "docsCount", "stats"]);
    expect(result.docsCount).toBe(1);
    expect(result.docIds).toHaveLength(1);
    expect(result.stats).toEqual({ inserted: 1, updated: 0, skipped: 0, rejected: 1, deleted: 0 });
    expect(await row(t, id)).toMatchObject({
      status: "running",
      docsCount: 1,
      completedAt: 12_345,
      runId: "run-1",
      regenerationStats: { inserted: 1, updated: 0, skipped: 0, rejected: 1, deleted: 0 },
    });
    expect(await read(t, "docs:listByJobId", { jobId: id })).toHaveLength(1);
  });

  test("deletes every document of every other completed job of the repository, even when called for a failing attempt", async () => {
    useClock();
    const t = newLegacy();
    const { userId, repositoryId } = await seed(t);
    const other = await seed(t);
    const insert = async (repo: string, status: string) =>
      await t.run(
        async (ctx) =>
          await ctx.db.insert("jobs", {
            userId,
            repositoryId: repo as any,
            status: status as any,
            prompt: "p",
            callbackToken: "cb",
            createdAt: 1,
          }),
      );
    const previous = await insert(repositoryId, "completed");
    const older = await insert(repositoryId, "completed");
    const failedBefore = await insert(repositoryId, "failed");
    const otherRepository = await insert(other.repositoryId, "completed");
    const failing = await insert(repositoryId, "running");
    const summary = { chaptersCount: 1, tutorialsCount: 0, generatedAt: 1 };
    for (const [jobId, repo] of [
      [previous, repositoryId],
      [older, repositoryId],
      [failedBefore, repositoryId],
      [otherRepository, other.repositoryId],
    ] as const) {
      await mutate(t, "docs:upsertFromJob", { jobId, repositoryId: repo, files: [chapter(1)], summary });
    }
    // The upserts of `older` and `previous` already deleted each other's documents (each ran the cleanup).
    await t.run(async (ctx) => {
      for (const jobId of [previous, older]) {
        await ctx.db.insert("docs", {
          jobId: jobId as any,
          repositoryId,
          slug: "chapters/chapter_1_c.md",
          title: "Chapter 1",
          chapterIndex: 1,
          kind: "chapter",
          content: "# kept?\n",
          createdAt: 1,
        });
      }
    });

    await mutate(t, "docs:upsertFromJob", { jobId: failing, repositoryId, files: [chapter(1, "# partial\n")], summary });

    expect(await read(t, "docs:listByJobId", { jobId: previous })).toEqual([]);
    expect(await read(t, "docs:listByJobId", { jobId: older })).toEqual([]);
    expect(await read(t, "docs:listByJobId", { jobId: failedBefore }), "not completed: kept").toHaveLength(1);
    expect(await read(t, "docs:listByJobId", { jobId: otherRepository }), "another repository: kept").toHaveLength(1);
    expect(await read(t, "docs:listByJobId", { jobId: failing })).toHaveLength(1);
    expect(await row(t, failing), "the failing job gets a completedAt").toMatchObject({ status: "running", completedAt: 1 });
  });

  test("upserts by source key: a repeated call updates instead of inserting", async () => {
    useClock();
    const t = newLegacy();
    const id = await insertJob(t, { status: "running" });
    const { repositoryId } = await row(t, id);
    const summary = { chaptersCount: 1, tutorialsCount: 0, generatedAt: 1 };
    await mutate(t, "docs:upsertFromJob", { jobId: id, repositoryId, files: [chapter(1)], summary });
    const again = await mutate(t, "docs:upsertFromJob", { jobId: id, repositoryId, files: [chapter(1, "# v2\n")], summary });
    expect(again.stats).toMatchObject({ inserted: 0, updated: 1 });
    expect(await read(t, "docs:listByJobId", { jobId: id })).toMatchObject([{ content: "# v2\n" }]);
  });
});

describe("docs:listByRepository (reference: the docs of the latest completed job of the repository, by creation order, or [])", () => {
  const file = (content: string) => ({ slug: "chapters/chapter_1_c.md", title: "Chapter 1", chapterIndex: 1, content, kind: "chapter" as const });
  const summary = { chaptersCount: 1, tutorialsCount: 0, generatedAt: 1 };

  test("[] without a completed job; then the latest completed job's documents, never a newer unfinished one's", async () => {
    useClock();
    const t = newLegacy();
    const { userId, repositoryId } = await seed(t);
    const job = async (status: string) =>
      await t.run(async (ctx) => await ctx.db.insert("jobs", { userId, repositoryId, status: status as any, prompt: "p", callbackToken: "cb", createdAt: 1 }));
    expect(await read(t, "docs:listByRepository", { repositoryId })).toEqual([]);
    const older = await job("completed");
    await mutate(t, "docs:upsertFromJob", { jobId: older, repositoryId, files: [file("# old\n")], summary });
    expect((await read(t, "docs:listByRepository", { repositoryId })).map((d: any) => d.content)).toEqual(["# old\n"]);

    // The order the reference warns about: the new job's upsert first deletes the older course while the new job
    // is not completed yet, so the course is empty until it completes.
    const newer = await job("running");
    await mutate(t, "docs:upsertFromJob", { jobId: newer, repositoryId, files: [file("# new\n")], summary });
    expect(await read(t, "docs:listByRepository", { repositoryId })).toEqual([]);
    await t.run(async (ctx) => await ctx.db.patch(newer as any, { status: "completed" }));
    expect((await read(t, "docs:listByRepository", { repositoryId })).map((d: any) => d.content)).toEqual(["# new\n"]);
  });

  test("the other order: complete first leaves the new completed job without documents, the course empty", async () => {
    useClock();
    const t = newLegacy();
    const id = await insertJob(t, {});
    const { repositoryId } = await row(t, id);
    await mutate(t, "queue:claimOne", { workerId: "w" });
    await mutate(t, "queue:complete", { jobId: id, workerId: "w" });
    expect(await read(t, "docs:listByRepository", { repositoryId })).toEqual([]);
  });
});
