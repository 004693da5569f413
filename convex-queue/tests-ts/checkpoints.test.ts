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
  row,
  runInternal,
  seedUserAndRepository,
  useClock,
  type TestConvex,
  resetSecret,
} from "./support";

beforeEach(() => configureSecret());
afterEach(() => {
  resetSecret();
  vi.restoreAllMocks();
});

const BASIS = {
  commit: "0123456789abcdef0123456789abcdef01234567",
  analyzerKind: "fondation-cli",
  analyzerVersion: "2.3.1",
  model: "",
  promptFingerprint: `sha256:${"ab".repeat(32)}`,
};
const OTHER_COMMIT = { ...BASIS, commit: "fedcba9876543210fedcba9876543210fedcba98" };
const LEASE_MS = 60_000;
const WEEK_MS = 7 * 24 * 3_600_000;

type Fence = "lease" | "lease_or_waiting";

/** A claimed job and the checkpoint calls of its lease. */
async function held(t: TestConvex, workerId = "worker-a") {
  const claimed = await claim(t, workerId, { leaseMs: LEASE_MS });
  return asHolder(t, claimed.id, workerId, claimed.leaseToken);
}

function asHolder(t: TestConvex, jobId: string, workerId: string, leaseToken: string) {
  const lease = { jobId, workerId, leaseToken, workerSecret: SECRET };
  return {
    jobId,
    lease,
    open: () => mutate(t, "checkpoints:open", lease),
    save: (path: string, content: string, fence: Fence = "lease", basis = BASIS) =>
      mutate(t, "checkpoints:save", { ...lease, fence, basis, path, content }),
    remove: (paths: string[]) => mutate(t, "checkpoints:remove", { ...lease, paths }),
    finish: (paths: string[], fence: Fence = "lease", basis = BASIS) =>
      mutate(t, "checkpoints:finish", { ...lease, fence, basis, paths }),
  };
}

const manifestOf = (t: TestConvex, jobId: string) => read(t, "checkpoints:read", { jobId, workerSecret: SECRET });

/** Every file of the job's checkpoint, read page by page as the worker does. */
async function filesOf(t: TestConvex, jobId: string) {
  const manifest = await manifestOf(t, jobId);
  if (manifest === null) return { pages: 0, files: [] as { path: string; content: string }[] };
  const files: { path: string; content: string }[] = [];
  let after: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await read(t, "checkpoints:files", {
      jobId,
      checkpointId: manifest.checkpointId,
      workerSecret: SECRET,
      ...(after === undefined ? {} : { after }),
    });
    expect(page.current).toBe(true);
    pages++;
    files.push(...page.files);
    if (page.next === null) return { pages, files };
    after = page.next;
  }
}

async function storedFiles(t: TestConvex): Promise<number> {
  return await t.run(async (ctx) => (await ctx.db.query("checkpointFiles").collect()).length);
}

describe("saving and reading a checkpoint", () => {
  test("the holder saves files; read lists them without content, files returns them in path order", async () => {
    const clock = useClock();
    const t = newConvex();
    await enqueue(t);
    const a = await held(t);
    expect(await a.open()).toBeNull();
    clock.advance(1_000);

    expect(await a.save("chapters/chapter_2_worker.md", "# Chapter 2: Worker\n")).toEqual({ outcome: "saved" });
    expect(await a.save("step1_abstractions.yaml", "- name: Queue\n")).toEqual({ outcome: "saved" });
    expect(await a.save("chapters/chapter_1_queue.md", "# Chapter 1: Queue — déjà\n")).toEqual({ outcome: "saved" });
    expect(await a.save("chapters/chapter_1_queue.md", "# Chapter 1: Queue — déjà\n")).toEqual({ outcome: "saved" });

    const manifest = await manifestOf(t, a.jobId);
    expect(manifest).toMatchObject({
      basis: BASIS,
      finished: false,
      paths: ["chapters/chapter_1_queue.md", "chapters/chapter_2_worker.md", "step1_abstractions.yaml"],
      bytes: ["# Chapter 1: Queue — déjà\n", "# Chapter 2: Worker\n", "- name: Queue\n"]
        .map((text) => Buffer.byteLength(text, "utf8"))
        .reduce((a, b) => a + b, 0),
      updatedAt: clock.now(),
    });
    expect(await a.open()).toEqual(manifest);
    expect((await filesOf(t, a.jobId)).files).toEqual([
      { path: "chapters/chapter_1_queue.md", content: "# Chapter 1: Queue — déjà\n" },
      { path: "chapters/chapter_2_worker.md", content: "# Chapter 2: Worker\n" },
      { path: "step1_abstractions.yaml", content: "- name: Queue\n" },
    ]);
    const stored = await t.run(async (ctx) => await ctx.db.query("checkpoints").collect());
    expect(stored).toHaveLength(1);
    expect(stored[0].holderToken).toBe(a.lease.leaseToken);
  });

  test("large checkpoints are read in pages of about 4 MiB", async () => {
    useClock();
    const t = newConvex();
    await enqueue(t);
    const a = await held(t);
    const big = "x".repeat(900 * 1024);
    for (let i = 1; i <= 6; i++) await a.save(`chapters/chapter_${i}_big.md`, big);

    const { pages, files } = await filesOf(t, a.jobId);
    expect(pages).toBe(2);
    expect(files.map((f) => f.path)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `chapters/chapter_${i}_big.md`));
    expect(files.every((f) => f.content.length === big.length)).toBe(true);
  });

  test("a save with another basis starts a new checkpoint; the old files are deleted in the background", async () => {
    useClock();
    const t = newConvex();
    await enqueue(t);
    const a = await held(t);
    await a.save("step1_abstractions.yaml", "- name: A\n");
    await a.save("chapters/chapter_1_a.md", "# Chapter 1: A\n");
    const before = await manifestOf(t, a.jobId);

    expect(await a.save("step1_abstractions.yaml", "- name: B\n", "lease", OTHER_COMMIT)).toEqual({ outcome: "saved" });

    const after = await manifestOf(t, a.jobId);
    expect(after).toMatchObject({ basis: OTHER_COMMIT, paths: ["step1_abstractions.yaml"] });
    expect(after.checkpointId).not.toBe(before.checkpointId);
    expect(await read(t, "checkpoints:files", { jobId: a.jobId, checkpointId: before.checkpointId, workerSecret: SECRET }))
      .toEqual({ current: false, files: [], next: null });
    await t.finishAllScheduledFunctions(() => {});
    expect(await storedFiles(t)).toBe(1);
  });

  test("a checkpoint is never the course", async () => {
    useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const jobId = await mutate(t, "queue:createJob", { userId, repositoryId, prompt: "p", callbackToken: "cb", workerSecret: SECRET });
    const a = await held(t);
    expect(a.jobId).toBe(jobId);
    await a.save("chapters/chapter_1_a.md", "# Chapter 1: A\n");

    expect(await read(t, "queue:listDocuments", { jobId, workerSecret: SECRET })).toEqual([]);
    expect(await read(t, "docs:listByRepository", { repositoryId })).toEqual([]);
    expect(await read(t, "docs:listByJobId", { jobId })).toEqual([]);
  });

  test("paths, bases and sizes are checked; a checkpoint keeps at most 1000 files", async () => {
    useClock();
    const t = newConvex();
    await enqueue(t);
    const a = await held(t);
    for (const path of ["../x.md", "/etc/passwd", "a//b.md", "a/./b.md", "a b.md", ""]) {
      await expectConvexError(a.save(path, "x"), "INVALID_ARGUMENT");
    }
    const bad = await expectConvexError(a.save("x.md", "x", "lease", { ...BASIS, commit: "main" }), "INVALID_ARGUMENT");
    expect(bad.message).toContain("commit");
    await expectConvexError(a.save("x.md", "x", "lease", { ...BASIS, promptFingerprint: "the prompt" }), "INVALID_ARGUMENT");
    const huge = await expectConvexError(a.save("chapters/chapter_1_huge.md", "é".repeat(460_800 + 1)), "DOCUMENT_TOO_LARGE");
    expect(huge.message).toContain("chapters/chapter_1_huge.md");
    expect(await a.save("chapters/chapter_1_fits.md", "é".repeat(460_800))).toEqual({ outcome: "saved" });
    await expectConvexError(a.remove(["a.md", "b.md", "c.md", "d.md", "e.md", "f.md", "g.md", "h.md", "i.md"]), "BATCH_TOO_LARGE");

    for (let i = 2; i <= 1000; i++) await a.save(`chapters/chapter_${i}_x.md`, `# ${i}`);
    const full = await expectConvexError(a.save("chapters/chapter_1001_x.md", "# 1001"), "CHECKPOINT_FULL");
    expect(full.message).toContain("at most 1000");
    expect(await a.save("chapters/chapter_7_x.md", "# 7, again")).toEqual({ outcome: "saved" });
    expect((await manifestOf(t, a.jobId)).paths).toHaveLength(1000);
  }, 60_000);

  test("remove drops files and ignores unknown paths; finish needs exactly the saved files of that basis", async () => {
    useClock();
    const t = newConvex();
    await enqueue(t);
    const a = await held(t);
    await a.save("a.yaml", "a: 1\n");
    await a.save("b.md", "# B\n");
    await a.save("c.md", "# C\n");

    expect(await a.remove(["c.md", "unknown.md"])).toEqual({ outcome: "saved" });
    expect(await manifestOf(t, a.jobId)).toMatchObject({ paths: ["a.yaml", "b.md"], bytes: 5 + 4 });
    expect(await a.finish(["a.yaml"])).toEqual({ outcome: "incomplete" });
    expect(await a.finish(["a.yaml", "b.md", "c.md"])).toEqual({ outcome: "incomplete" });
    expect(await a.finish(["a.yaml", "b.md"], "lease", OTHER_COMMIT)).toEqual({ outcome: "incomplete" });
    expect(await a.finish(["b.md", "a.yaml"])).toEqual({ outcome: "saved" });
    expect((await manifestOf(t, a.jobId)).finished).toBe(true);
    await a.save("c.md", "# C again\n");
    expect((await manifestOf(t, a.jobId)).finished).toBe(false);
    await a.remove(["a.yaml", "b.md", "c.md"]);
    expect(await manifestOf(t, a.jobId)).toBeNull();
  });
});

describe("fencing", () => {
  test("a stale holder cannot write into the checkpoint of the job's new holder", async () => {
    const clock = useClock();
    const t = newConvex();
    await enqueue(t);
    const stale = await held(t, "worker-a");
    await stale.open();
    await stale.save("step1_abstractions.yaml", "- name: A\n");
    clock.advance(LEASE_MS + 1);
    const current = await held(t, "worker-b");
    expect(current.jobId).toBe(stale.jobId);
    expect((await current.open()).paths).toEqual(["step1_abstractions.yaml"]);
    await current.save("chapters/chapter_1_a.md", "# Chapter 1: A\n");
    const before = await filesOf(t, stale.jobId);

    for (const fence of ["lease", "lease_or_waiting"] as const) {
      expect(await stale.save("chapters/chapter_1_a.md", "# forged\n", fence)).toEqual({ outcome: "not_held" });
      expect(await stale.save("chapters/chapter_1_a.md", "# forged\n", fence, OTHER_COMMIT)).toEqual({ outcome: "not_held" });
      expect(await stale.finish(["step1_abstractions.yaml", "chapters/chapter_1_a.md"], fence)).toEqual({ outcome: "not_held" });
    }
    expect(await stale.remove(["step1_abstractions.yaml"])).toEqual({ outcome: "not_held" });
    expect(await stale.open()).toBeNull();
    expect(await filesOf(t, stale.jobId)).toEqual(before);

    await mutate(t, "queue:release", { ...current.lease });
    expect(await stale.save("chapters/chapter_1_a.md", "# forged\n", "lease_or_waiting")).toEqual({ outcome: "not_held" });
    expect(await filesOf(t, stale.jobId)).toEqual(before);
  });

  test("the output of a finished analysis is saved after the lease while the job waits for no other holder", async () => {
    const clock = useClock();
    const t = newConvex();
    await enqueue(t);
    const a = await held(t);
    await a.open();
    await a.save("step1_abstractions.yaml", "- name: A\n");
    clock.advance(LEASE_MS + 1);
    expect(await runInternal(t, "queue:reclaimExpired")).toMatchObject({ reclaimed: 1 });
    expect((await row(t, a.jobId)).status).toBe("pending");

    expect(await a.save("chapters/chapter_1_a.md", "# Chapter 1: A\n")).toEqual({ outcome: "not_held" });
    expect(await a.save("chapters/chapter_1_a.md", "# Chapter 1: A\n", "lease_or_waiting")).toEqual({ outcome: "saved" });
    expect(await a.finish(["step1_abstractions.yaml", "chapters/chapter_1_a.md"], "lease_or_waiting")).toEqual({
      outcome: "saved",
    });

    const b = await held(t, "worker-b");
    expect(await b.open()).toMatchObject({ finished: true, paths: ["chapters/chapter_1_a.md", "step1_abstractions.yaml"] });
    expect(await a.save("chapters/chapter_2_b.md", "# late\n", "lease_or_waiting")).toEqual({ outcome: "not_held" });
  });

  test("canceling deletes the checkpoint and refuses its holder's writes", async () => {
    useClock();
    const t = newConvex();
    await enqueue(t);
    const a = await held(t);
    await a.save("step1_abstractions.yaml", "- name: A\n");
    await mutate(t, "queue:cancel", { jobId: a.jobId, workerSecret: SECRET });

    expect(await manifestOf(t, a.jobId)).toBeNull();
    for (const fence of ["lease", "lease_or_waiting"] as const) {
      expect(await a.save("chapters/chapter_1_a.md", "# A\n", fence)).toEqual({ outcome: "not_held" });
    }
    await t.finishAllScheduledFunctions(() => {});
    expect(await storedFiles(t)).toBe(0);
  });
});

describe("lifecycle", () => {
  /** A job with a one-file checkpoint, claimed by `worker-a`. */
  async function withCheckpoint(t: TestConvex, extra: Record<string, unknown> = {}) {
    await enqueue(t, extra);
    const a = await held(t);
    await a.save("step1_abstractions.yaml", "- name: A\n");
    return a;
  }

  test("every way a job ends deletes its checkpoint and its files", async () => {
    const clock = useClock();
    const t = newConvex();
    const ended: Record<string, string> = {};

    const completed = await withCheckpoint(t);
    await mutate(t, "queue:complete", { ...completed.lease });
    ended.completed = completed.jobId;

    const failed = await withCheckpoint(t);
    await mutate(t, "queue:retryOrFail", { ...failed.lease, error: "no such branch", retryable: false });
    ended.failed = failed.jobId;

    const dead = await withCheckpoint(t, { maxAttempts: 1 });
    await mutate(t, "queue:retryOrFail", { ...dead.lease, error: "boom" });
    ended.dead = dead.jobId;

    const canceledByTheWebApp = await withCheckpoint(t);
    await mutate(t, "jobs:requestCancel", { jobId: canceledByTheWebApp.jobId });
    ended.requestCancel = canceledByTheWebApp.jobId;

    const completedByCallback = await withCheckpoint(t);
    const callbackToken = (await row(t, completedByCallback.jobId)).callbackToken;
    await mutate(t, "jobs:updateStatus", { jobId: completedByCallback.jobId, status: "completed", callbackToken });
    ended.updateStatus = completedByCallback.jobId;

    const canceledWhileHeld = await withCheckpoint(t);
    await t.run(async (ctx) => await ctx.db.patch(canceledWhileHeld.jobId as any, { cancelRequested: true }));
    expect(await mutate(t, "queue:complete", { ...canceledWhileHeld.lease })).toEqual({ outcome: "canceled" });
    ended.canceledComplete = canceledWhileHeld.jobId;

    const expired = await withCheckpoint(t, { maxAttempts: 1 });
    clock.advance(LEASE_MS + 1);
    expect(await runInternal(t, "queue:reclaimExpired")).toMatchObject({ dead: 1 });
    ended.reclaimExpired = expired.jobId;

    for (const [how, jobId] of Object.entries(ended)) {
      expect(await manifestOf(t, jobId), how).toBeNull();
    }
    await t.finishAllScheduledFunctions(() => {});
    expect(await storedFiles(t)).toBe(0);
  });

  test("a retried, released or expired (not last) attempt keeps the checkpoint", async () => {
    const clock = useClock();
    const t = newConvex();
    const retried = await withCheckpoint(t);
    await mutate(t, "queue:retryOrFail", { ...retried.lease, error: "flaky" });
    const expired = await withCheckpoint(t);
    const released = await withCheckpoint(t);
    await mutate(t, "queue:release", { ...released.lease });
    clock.advance(LEASE_MS + 1);
    expect(await runInternal(t, "queue:reclaimExpired")).toMatchObject({ reclaimed: 1 });

    for (const jobId of [retried.jobId, released.jobId, expired.jobId]) {
      expect((await manifestOf(t, jobId)).paths).toEqual(["step1_abstractions.yaml"]);
    }
  });

  test("expireOrphans deletes week-old checkpoints and those of ended or deleted jobs, page by page", async () => {
    const clock = useClock();
    const t = newConvex();
    const old = await withCheckpoint(t);
    await mutate(t, "queue:retryOrFail", { ...old.lease, error: "429", minDelayMs: 2 * WEEK_MS });
    clock.advance(WEEK_MS - 60_000);
    const fresh = await withCheckpoint(t);
    const endedElsewhere = await withCheckpoint(t);
    await t.run(async (ctx) => await ctx.db.patch(endedElsewhere.jobId as any, { status: "failed" }));
    const deleted = await withCheckpoint(t);
    await t.run(async (ctx) => await ctx.db.delete(deleted.jobId as any));

    expect(await runInternal(t, "checkpoints:expireOrphans")).toEqual({ expired: 2, more: false });
    expect(await manifestOf(t, old.jobId)).not.toBeNull();
    clock.advance(120_000);
    expect(await runInternal(t, "checkpoints:expireOrphans")).toEqual({ expired: 1, more: false });
    expect(await manifestOf(t, old.jobId)).toBeNull();
    expect(await manifestOf(t, fresh.jobId)).not.toBeNull();
    await t.finishAllScheduledFunctions(() => {});
    expect(await storedFiles(t)).toBe(1);

    // More rows than one run looks at: it schedules the next page.
    for (let i = 0; i < 25; i++) await withCheckpoint(t);
    expect(await runInternal(t, "checkpoints:expireOrphans")).toEqual({ expired: 0, more: true });
    await t.finishAllScheduledFunctions(() => {});
  });
});

describe("capabilities", () => {
  test("announce checkpoints", async () => {
    const t = newConvex();
    const capabilities = await read(t, "queue:capabilities");
    expect(capabilities.features).toContain("checkpoints");
  });
});
