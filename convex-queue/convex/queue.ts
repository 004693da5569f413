import { v } from "convex/values";
import type { Doc } from "./_generated/dataModel";
import { internal } from "./_generated/api";
import { internalMutation, mutation, query, type MutationCtx, type QueryCtx } from "./_generated/server";
import { allowPublic, requireWorker } from "./lib/auth";
import { endCheckpoint } from "./lib/checkpoints";
import { fail } from "./lib/errors";
import {
  CLEARED_LOCK,
  findJob,
  holdsLock,
  isCancelRequested,
  isOfCompletedRun,
  requestCancellation,
  requireRepositoryOwnedBy,
  scheduleOldGenerationCleanup,
} from "./lib/jobs";
import {
  ACTIVE_STATUSES,
  ALL_STATUSES,
  DEFAULT_MAX_ATTEMPTS,
  LEASED_STATUSES,
  MAX_BATCH_CONTENT_BYTES,
  MAX_BATCH_FILES,
  MAX_DOCUMENT_CONTENT_BYTES,
  MAX_MAX_ATTEMPTS,
  backoffMs,
  compareDocuments,
  isLeased,
  jobSnapshot,
  randomToken,
  requireDocumentFits,
  requireLeaseMs,
  requireNonBlank,
  type JobStatus,
} from "./lib/model";
import { jobSnapshotValidator, listedDocumentValidator } from "./lib/returns";
import { cloneSource, documentFile, jobResult, jobStatus, workPhase } from "./schema";

/*
 * The job queue, as the worker sees it. A superset of the existing `queue` module: the same
 * function names and argument names, plus
 *  - `workerSecret` on every worker function (checked against FONDATION_WORKER_SECRET),
 *  - a fencing `leaseToken` per claim, checked by every write of the holder,
 *  - an idempotent claim (`claimToken`), cancellation that `complete` never overwrites,
 *  - `release`, `saveDocuments`, `enqueue`, `cancel`, read functions and `capabilities`.
 * `Date.now()` is the only clock (Convex fixes it per function execution).
 *
 * `attempts` counts the attempts STARTED (Oban's convention), so that every reader of the row, the web app
 * included, sees the number of the attempt that runs: `claimOne` adds one, `release` gives it back, and a failure,
 * an expired lease or a completion add nothing more. `maxAttempts` attempts are `maxAttempts` runs, as before.
 * Version 3 counts this way (version 2 counted an attempt when it ended).
 */

const API_VERSION = 3;
const FEATURES = [
  "worker-secret",
  "lease-token",
  "claim-token",
  "heartbeat-cancel",
  "release",
  "save-documents",
  "enqueue",
  "cancel",
  "reclaim-cron",
  "metrics",
  "attempts-started",
  // convex/checkpoints.ts: resumable analyses (issue 23)
  "checkpoints",
] as const;

/** Longest error text stored on a job; the rest is cut (the old worker stored whole CLI logs). */
const MAX_ERROR_CHARS = 4_000;

const workerSecret = v.optional(v.string());

/** Announces the API version and features, so a worker can refuse an older deployment clearly. */
export const capabilities = query({
  args: {},
  returns: v.object({
    api: v.literal("fondation-queue"),
    version: v.number(),
    features: v.array(v.string()),
    limits: v.object({ maxDocumentContentBytes: v.number(), maxBatchContentBytes: v.number(), maxBatchFiles: v.number() }),
  }),
  handler: () => {
    allowPublic("probe: no data");
    return {
    api: "fondation-queue" as const,
    version: API_VERSION,
    features: [...FEATURES],
    limits: {
      maxDocumentContentBytes: MAX_DOCUMENT_CONTENT_BYTES,
      maxBatchContentBytes: MAX_BATCH_CONTENT_BYTES,
      maxBatchFiles: MAX_BATCH_FILES,
    },
  };
  },
});

// ---------------------------------------------------------------------------------------------
// Claim, heartbeat, finish

/**
 * Claims the due pending job with the lowest `runAt` (jobs without `runAt` first) under a lease.
 * With a `claimToken` that this worker's current lease was taken with, returns that job again
 * instead of claiming another one: the answer to a claim whose response was lost.
 */
export const claimOne = mutation({
  args: {
    workerId: v.string(),
    leaseMs: v.optional(v.number()),
    claimToken: v.optional(v.string()),
    workerSecret,
  },
  returns: v.union(claimResultValidator(), v.null()),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    requireNonBlank("workerId", args.workerId);
    const leaseMs = requireLeaseMs(args.leaseMs);
    const now = Date.now();

    if (args.claimToken !== undefined) {
      requireNonBlank("claimToken", args.claimToken);
      const previous = await ctx.db
        .query("jobs")
        .withIndex("by_claimToken", (q) => q.eq("claimToken", args.claimToken))
        .first();
      if (previous !== null && previous.lockedBy === args.workerId && isLeased(previous.status)) {
        return await claimResult(ctx, previous);
      }
    }

    // Two narrow index reads, each stopping at the first row: jobs without runAt (created by
    // older code) count as due, then the lowest runAt <= now.
    const job =
      (await ctx.db
        .query("jobs")
        .withIndex("by_status_runAt", (q) => q.eq("status", "pending").eq("runAt", undefined))
        .first()) ??
      (await ctx.db
        .query("jobs")
        .withIndex("by_status_runAt", (q) => q.eq("status", "pending").lte("runAt", now))
        .first());
    // No pending job due: take over a job whose holder stopped heartbeating, without waiting for
    // the reclaimExpired cron (which still catches them when no worker is polling).
    const target = job ?? (await reclaimForClaim(ctx, now));
    if (target === null) return null;

    // Since when the job could be claimed (creation, end of a retry's backoff, release, reclaim): the worker's
    // pickup-latency metric. Read before the patch; a repeated claim (above) does not know it any more.
    const dueAt = target.runAt ?? target.createdAt;
    const leaseToken = randomToken();
    await ctx.db.patch("jobs", target._id, {
      status: "claimed",
      // The attempt counts from its start: the row says which attempt runs.
      attempts: (target.attempts ?? 0) + 1,
      lockedBy: args.workerId,
      leaseUntil: now + leaseMs,
      leaseToken,
      claimToken: args.claimToken,
      startedAt: now,
      heartbeatAt: now,
      updatedAt: now,
    });
    const claimed = await ctx.db.get("jobs", target._id);
    return await claimResult(ctx, claimed!, dueAt);
  },
});

/** What a claim answers: the job to run, its clone source and the lease (the only place tokens are returned). */
function claimResultValidator() {
  return v.object({
    id: v.id("jobs"),
    repositoryId: v.optional(v.id("repositories")),
    userId: v.optional(v.id("users")),
    prompt: v.string(),
    callbackToken: v.string(),
    attempts: v.number(),
    maxAttempts: v.number(),
    leaseToken: v.string(),
    leaseUntil: v.number(),
    dueAt: v.optional(v.number()),
    source: cloneSource,
  });
}

async function claimResult(ctx: QueryCtx, job: Doc<"jobs">, dueAt?: number) {
  const repository = job.repositoryId === undefined ? null : await ctx.db.get("repositories", job.repositoryId);
  const source: { url?: string; fullName?: string; branch?: string } = {};
  const url = job.source?.url ?? job.repositoryUrl;
  const fullName = job.source?.fullName ?? repository?.fullName;
  const branch = job.source?.branch ?? job.branch ?? repository?.defaultBranch;
  if (url !== undefined) source.url = url;
  else if (fullName !== undefined) source.fullName = fullName;
  if (branch !== undefined && branch.length > 0) source.branch = branch;
  return {
    id: job._id,
    ...(job.repositoryId !== undefined ? { repositoryId: job.repositoryId } : {}),
    ...(job.userId !== undefined ? { userId: job.userId } : {}),
    prompt: job.prompt,
    callbackToken: job.callbackToken,
    attempts: job.attempts ?? 0,
    maxAttempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    leaseToken: job.leaseToken!,
    leaseUntil: job.leaseUntil!,
    ...(dueAt !== undefined ? { dueAt } : {}),
    source,
  };
}

/**
 * Extends the lease and records progress. Never throws for a holder that lost the job: it answers
 * `leaseHeld: false` and changes nothing. When cancellation was requested it answers
 * `cancelRequested: true` and leaves the status alone.
 */
export const heartbeat = mutation({
  args: {
    jobId: v.string(),
    workerId: v.string(),
    leaseToken: v.optional(v.string()),
    status: v.optional(workPhase),
    progress: v.optional(v.string()),
    currentStep: v.optional(v.number()),
    totalSteps: v.optional(v.number()),
    leaseMs: v.optional(v.number()),
    workerSecret,
  },
  returns: v.object({
    success: v.literal(true),
    leaseHeld: v.boolean(),
    cancelRequested: v.boolean(),
    leaseUntil: v.optional(v.number()),
  }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const leaseMs = requireLeaseMs(args.leaseMs);
    const job = await findJob(ctx.db, args.jobId);
    if (job === null) {
      return { success: true as const, leaseHeld: false, cancelRequested: false };
    }
    const cancelRequested = isCancelRequested(job);
    const held = holdsLock(job, args.workerId, args.leaseToken) && (isLeased(job.status) || cancelRequested);
    if (!held) {
      return { success: true as const, leaseHeld: false, cancelRequested };
    }
    const now = Date.now();
    const leaseUntil = now + leaseMs;
    if (cancelRequested) {
      // Keep the lock so the holder can still finish (complete → "canceled", release); never
      // touch the status the web app set.
      await ctx.db.patch("jobs", job._id, { leaseUntil, heartbeatAt: now });
      return { success: true as const, leaseHeld: true, cancelRequested: true, leaseUntil };
    }
    await ctx.db.patch("jobs", job._id, {
      leaseUntil,
      heartbeatAt: now,
      updatedAt: now,
      ...(args.status !== undefined ? { status: args.status } : {}),
      ...(args.progress !== undefined ? { progress: args.progress } : {}),
      ...(args.currentStep !== undefined ? { currentStep: args.currentStep } : {}),
      ...(args.totalSteps !== undefined ? { totalSteps: args.totalSteps } : {}),
    });
    return { success: true as const, leaseHeld: true, cancelRequested: false, leaseUntil };
  },
});

/**
 * Marks the held job completed; a requested cancellation wins and is reported as "canceled". The completing
 * attempt was counted in `attempts` when it was claimed; its last progress is recorded. With a `runId`, the documents that
 * `saveDocuments` staged under that run become the job's course and any other run's documents are dropped
 * (in the background), so an attempt that did not complete never leaves documents behind.
 */
export const complete = mutation({
  args: {
    jobId: v.string(),
    workerId: v.string(),
    leaseToken: v.optional(v.string()),
    runId: v.optional(v.string()),
    result: v.optional(jobResult),
    docsCount: v.optional(v.number()),
    progress: v.optional(v.string()),
    currentStep: v.optional(v.number()),
    totalSteps: v.optional(v.number()),
    workerSecret,
  },
  returns: v.object({
    outcome: v.union(v.literal("completed"), v.literal("already_completed"), v.literal("canceled"), v.literal("not_held")),
  }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const job = await findJob(ctx.db, args.jobId);
    if (job === null) return { outcome: "not_held" as const };
    // Whoever completes is recorded: its own repeated call (a lost response) is answered
    // already_completed; a stale holder's call is not_held, so it never believes it finished the job.
    const completer = args.leaseToken ?? `worker:${args.workerId}`;
    if (job.status === "completed") {
      return { outcome: job.completedBy === completer ? ("already_completed" as const) : ("not_held" as const) };
    }
    const held = holdsLock(job, args.workerId, args.leaseToken);
    const now = Date.now();
    if (isCancelRequested(job)) {
      if (held) {
        await ctx.db.patch("jobs", job._id, {
          ...CLEARED_LOCK,
          status: "canceled",
          cancelRequested: true,
          completedAt: job.completedAt ?? now,
          updatedAt: now,
        });
        await endCheckpoint(ctx, job._id);
      }
      return { outcome: "canceled" as const };
    }
    if (!held || !isLeased(job.status)) return { outcome: "not_held" as const };
    await ctx.db.patch("jobs", job._id, {
      ...CLEARED_LOCK,
      status: "completed",
      completedBy: completer,
      completedAt: now,
      updatedAt: now,
      ...(args.runId !== undefined ? { runId: args.runId } : {}),
      ...(args.result !== undefined ? { result: args.result } : {}),
      ...(args.docsCount !== undefined ? { docsCount: args.docsCount } : {}),
      ...progressFields(args),
    });
    if (args.runId !== undefined) {
      await ctx.scheduler.runAfter(0, internal.docs.cleanupOtherRuns, { jobId: job._id, keepRunId: args.runId });
    }
    // A completed job needs no checkpoint any more.
    await endCheckpoint(ctx, job._id);
    await scheduleOldGenerationCleanup(ctx, job.repositoryId, job._id);
    return { outcome: "completed" as const };
  },
});

/**
 * Records a failed attempt of the held job (counted when it was claimed): `failed` (not retryable),
 * `dead` (it was the last) or back to `pending` after the backoff (at least `minDelayMs`).
 */
export const retryOrFail = mutation({
  args: {
    jobId: v.string(),
    workerId: v.string(),
    leaseToken: v.optional(v.string()),
    error: v.string(),
    retryable: v.optional(v.boolean()),
    minDelayMs: v.optional(v.number()),
    progress: v.optional(v.string()),
    currentStep: v.optional(v.number()),
    totalSteps: v.optional(v.number()),
    workerSecret,
  },
  returns: v.union(
    v.object({ status: v.literal("retrying"), attempts: v.number(), nextRunAt: v.number() }),
    v.object({ status: v.union(v.literal("dead"), v.literal("failed"), v.literal("not_held")), attempts: v.number() }),
  ),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    if (args.minDelayMs !== undefined && (!Number.isFinite(args.minDelayMs) || args.minDelayMs < 0)) {
      throw fail("INVALID_ARGUMENT", `minDelayMs must be a non-negative number of milliseconds, was ${args.minDelayMs}`);
    }
    const job = await findJob(ctx.db, args.jobId);
    if (job === null) return { status: "not_held" as const, attempts: 0 };
    const notHeld = { status: "not_held" as const, attempts: job.attempts ?? 0 };
    if (!holdsLock(job, args.workerId, args.leaseToken)) return notHeld;
    const now = Date.now();
    const error = truncate(args.error);
    if (isCancelRequested(job)) {
      // Canceled while working: the cancellation stands; only the lock is given back.
      await ctx.db.patch("jobs", job._id, { ...CLEARED_LOCK, lastError: error, updatedAt: now });
      return notHeld;
    }
    if (!isLeased(job.status)) return notHeld;
    const minDelayMs = Math.floor(args.minDelayMs ?? 0);
    const outcome = await spendAttempt(ctx, job, now, error, args.retryable !== false, (attempts) =>
      now + Math.max(backoffMs(attempts, Math.random()), minDelayMs),
    );
    const progress = progressFields(args);
    if (Object.keys(progress).length > 0) await ctx.db.patch("jobs", job._id, progress);
    return outcome.status === "pending"
      ? { status: "retrying" as const, attempts: outcome.attempts, nextRunAt: outcome.runAt }
      : outcome;
  },
});

/**
 * Ends the current attempt of a leased job, clearing the lock: `failed` when the error is not
 * retryable, `dead` when it was the last, else `pending` again, due at `retryAt(attempts)`. The
 * attempt was counted when it was claimed (at least one is, for a row some other code claimed).
 */
async function spendAttempt(
  ctx: MutationCtx,
  job: Doc<"jobs">,
  now: number,
  error: string,
  retryable: boolean,
  retryAt: (attempts: number) => number,
): Promise<{ status: "failed" | "dead"; attempts: number } | { status: "pending"; attempts: number; runAt: number }> {
  const attempts = Math.max(job.attempts ?? 0, 1);
  if (!retryable || attempts >= (job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
    const status = retryable ? ("dead" as const) : ("failed" as const);
    await ctx.db.patch("jobs", job._id, {
      ...CLEARED_LOCK,
      status,
      attempts,
      error,
      lastError: error,
      completedAt: now,
      updatedAt: now,
    });
    // Nothing will resume a failed or dead job.
    await endCheckpoint(ctx, job._id);
    return { status, attempts };
  }
  const runAt = retryAt(attempts);
  await ctx.db.patch("jobs", job._id, { ...CLEARED_LOCK, status: "pending", attempts, lastError: error, runAt, updatedAt: now });
  return { status: "pending", attempts, runAt };
}

/** The progress fields a worker reported with a call, for a patch (absent ones are left alone). */
function progressFields(args: { progress?: string; currentStep?: number; totalSteps?: number }) {
  return {
    // The existing heartbeat ignores an empty progress string; so does every call here.
    ...(args.progress !== undefined && args.progress.length > 0 ? { progress: args.progress } : {}),
    ...(args.currentStep !== undefined ? { currentStep: args.currentStep } : {}),
    ...(args.totalSteps !== undefined ? { totalSteps: args.totalSteps } : {}),
  };
}

/**
 * Gives the held job back without spending an attempt (the one its claim counted is given back): pending and due at
 * once. A canceled job only loses its lock: it stays canceled, in the attempt it was canceled in.
 */
export const release = mutation({
  args: {
    jobId: v.string(),
    workerId: v.string(),
    leaseToken: v.string(),
    workerSecret,
  },
  returns: v.object({ released: v.boolean() }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const job = await findJob(ctx.db, args.jobId);
    if (job === null || !holdsLock(job, args.workerId, args.leaseToken)) return { released: false };
    const now = Date.now();
    if (isCancelRequested(job)) {
      // The cancellation stands; only the lock is given back.
      await ctx.db.patch("jobs", job._id, { ...CLEARED_LOCK, updatedAt: now });
      return { released: false };
    }
    if (!isLeased(job.status)) return { released: false };
    await ctx.db.patch("jobs", job._id, {
      ...CLEARED_LOCK,
      status: "pending",
      attempts: Math.max((job.attempts ?? 0) - 1, 0),
      runAt: now,
      updatedAt: now,
    });
    return { released: true };
  },
});

// ---------------------------------------------------------------------------------------------
// Documents

/**
 * Stores documents of the held job, replacing those with the same slug (a retried attempt
 * overwrites its earlier output). Limits: one document's content ≤ 900 KiB (UTF-8), one call's
 * content ≤ 8 MiB and ≤ 1000 files; the client splits larger sets into several calls.
 * Empty chapters and tutorials are skipped (and named in `skipped`), like the existing upsert did.
 */
export const saveDocuments = mutation({
  args: {
    jobId: v.string(),
    workerId: v.string(),
    leaseToken: v.string(),
    runId: v.optional(v.string()),
    files: v.array(documentFile),
    workerSecret,
  },
  returns: v.object({ saved: v.number(), leaseHeld: v.boolean(), skipped: v.array(v.string()) }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    validateBatch(args.files);
    const job = await findJob(ctx.db, args.jobId);
    if (
      job === null ||
      !holdsLock(job, args.workerId, args.leaseToken) ||
      !isLeased(job.status) ||
      isCancelRequested(job)
    ) {
      return { saved: 0, leaseHeld: false, skipped: [] as string[] };
    }
    const now = Date.now();
    let saved = 0;
    let inserted = 0;
    const skipped: string[] = [];
    for (const file of args.files) {
      if ((file.kind === "chapter" || file.kind === "tutorial") && file.content.trim().length === 0) {
        skipped.push(file.slug);
        continue;
      }
      const existing = await ctx.db
        .query("docs")
        .withIndex("by_job_slug", (q) => q.eq("jobId", job._id).eq("slug", file.slug))
        .first();
      const fields = {
        title: file.title,
        chapterIndex: file.chapterIndex ?? 0,
        kind: file.kind,
        content: file.content,
        ...(args.runId !== undefined ? { runId: args.runId } : {}),
      };
      if (existing === null) {
        await ctx.db.insert("docs", {
          jobId: job._id,
          ...(job.repositoryId !== undefined ? { repositoryId: job.repositoryId } : {}),
          slug: file.slug,
          createdAt: now,
          ...fields,
        });
        inserted++;
      } else {
        await ctx.db.patch("docs", existing._id, { ...fields, updatedAt: now });
      }
      saved++;
    }
    // The job's docsCount and runId are set by `complete`: staged documents are not the course yet.
    if (inserted > 0) await ctx.db.patch("jobs", job._id, { updatedAt: now });
    return { saved, leaseHeld: true, skipped };
  },
});

function validateBatch(files: { slug: string; content: string }[]): void {
  if (files.length > MAX_BATCH_FILES) {
    throw fail("BATCH_TOO_LARGE", `a call may save at most ${MAX_BATCH_FILES} documents, got ${files.length}; split the batch`);
  }
  const slugs = new Set<string>();
  let total = 0;
  for (const file of files) {
    if (file.slug.trim().length === 0) throw fail("INVALID_ARGUMENT", "a document needs a non-blank slug");
    if (slugs.has(file.slug)) throw fail("INVALID_ARGUMENT", `document slug '${file.slug}' appears twice in one call`);
    slugs.add(file.slug);
    total += requireDocumentFits(file.slug, file.content);
  }
  if (total > MAX_BATCH_CONTENT_BYTES) {
    throw fail(
      "BATCH_TOO_LARGE",
      `one call may carry at most ${MAX_BATCH_CONTENT_BYTES} bytes of content, got ${total}; split the batch`,
    );
  }
}

/** The job's documents in reading order: yaml, chapters, reviewed chapters, tutorials, the rest. */
export const listDocuments = query({
  args: { jobId: v.string(), workerSecret },
  returns: v.array(listedDocumentValidator),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const job = await findJob(ctx.db, args.jobId);
    // Only a completed job has a course; documents staged by another run of it are not part of it.
    if (job === null || job.status !== "completed") return [];
    const docs = (
      await ctx.db
        .query("docs")
        .withIndex("by_job", (q) => q.eq("jobId", job._id))
        .collect()
    ).filter((doc) => isOfCompletedRun(job, doc));
    return docs.sort(compareDocuments).map((doc) => ({
      slug: doc.slug,
      title: doc.title,
      // yaml and toc documents have no chapter index; it is stored as 0 for the web app.
      ...(doc.kind === "chapter" || doc.kind === "tutorial" || doc.chapterIndex !== 0
        ? { chapterIndex: doc.chapterIndex }
        : {}),
      kind: doc.kind,
      content: doc.content,
    }));
  },
});

// ---------------------------------------------------------------------------------------------
// Creating, canceling and reading jobs

/**
 * Adds a pending job for a bare clone source (no user or repository). With a `dedupeKey` that an
 * active job already has, returns that job's id instead.
 */
export const enqueue = mutation({
  args: {
    source: cloneSource,
    prompt: v.string(),
    maxAttempts: v.optional(v.number()),
    runAt: v.optional(v.number()),
    dedupeKey: v.optional(v.string()),
    workerSecret,
  },
  returns: v.id("jobs"),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const hasUrl = args.source.url !== undefined && args.source.url.trim().length > 0;
    const hasFullName = args.source.fullName !== undefined && args.source.fullName.trim().length > 0;
    if (hasUrl === hasFullName) {
      throw fail("INVALID_ARGUMENT", "source needs exactly one of url or fullName");
    }
    const maxAttempts = args.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > MAX_MAX_ATTEMPTS) {
      throw fail("INVALID_ARGUMENT", `maxAttempts must be an integer from 1 to ${MAX_MAX_ATTEMPTS}, was ${maxAttempts}`);
    }
    if (args.runAt !== undefined && !Number.isFinite(args.runAt)) {
      throw fail("INVALID_ARGUMENT", "runAt must be a finite number of epoch milliseconds");
    }
    if (args.dedupeKey !== undefined) {
      const existing = await activeJobWithDedupeKey(ctx, args.dedupeKey);
      if (existing !== null) return existing._id;
    }
    const now = Date.now();
    const id = await ctx.db.insert("jobs", {
      status: "pending",
      source: {
        ...(hasUrl ? { url: args.source.url } : { fullName: args.source.fullName }),
        ...(args.source.branch !== undefined && args.source.branch.length > 0 ? { branch: args.source.branch } : {}),
      },
      prompt: args.prompt,
      callbackToken: randomToken(),
      createdAt: now,
      updatedAt: now,
      runAt: args.runAt ?? now,
      attempts: 0,
      maxAttempts,
      ...(args.dedupeKey !== undefined ? { dedupeKey: args.dedupeKey } : {}),
    });
    return id;
  },
});

async function activeJobWithDedupeKey(ctx: QueryCtx, dedupeKey: string): Promise<Doc<"jobs"> | null> {
  const candidates = await ctx.db
    .query("jobs")
    .withIndex("by_dedupeKey", (q) => q.eq("dedupeKey", dedupeKey))
    .order("desc")
    .take(50);
  return candidates.find((job) => ACTIVE_STATUSES.includes(job.status)) ?? null;
}

/**
 * The existing module's job creation for a user's repository (its argument shape plus `workerSecret`): a queue
 * function, so a worker or operator one; the web app creates jobs with `jobs:create` / `jobs:regenerate`.
 */
export const createJob = mutation({
  args: {
    userId: v.id("users"),
    repositoryId: v.id("repositories"),
    prompt: v.string(),
    callbackToken: v.string(),
    dedupeKey: v.optional(v.string()),
    workerSecret,
  },
  returns: v.id("jobs"),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    await requireRepositoryOwnedBy(ctx.db, args.repositoryId, args.userId);
    if (args.dedupeKey !== undefined) {
      const existing = await activeJobWithDedupeKey(ctx, args.dedupeKey);
      if (existing !== null) return existing._id;
    }
    const now = Date.now();
    return await ctx.db.insert("jobs", {
      userId: args.userId,
      repositoryId: args.repositoryId,
      status: "pending",
      prompt: args.prompt,
      callbackToken: args.callbackToken,
      createdAt: now,
      updatedAt: now,
      runAt: now,
      attempts: 0,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      ...(args.dedupeKey !== undefined ? { dedupeKey: args.dedupeKey } : {}),
    });
  },
});

/** Requests cancellation (same semantics as the web app's jobs:requestCancel). */
export const cancel = mutation({
  args: { jobId: v.string(), workerSecret },
  returns: v.object({ canceled: v.boolean() }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const job = await findJob(ctx.db, args.jobId);
    if (job === null) return { canceled: false };
    return { canceled: await requestCancellation(ctx, job, "Job canceled") };
  },
});

/** One job without its tokens, or null. */
export const getJob = query({
  args: { jobId: v.string(), workerSecret },
  returns: v.union(jobSnapshotValidator, v.null()),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const job = await findJob(ctx.db, args.jobId);
    return job === null ? null : jobSnapshot(job);
  },
});

/** Jobs without their tokens, newest first. */
export const listJobs = query({
  args: { status: v.optional(jobStatus), limit: v.optional(v.number()), workerSecret },
  returns: v.array(jobSnapshotValidator),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const limit = args.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) {
      throw fail("INVALID_ARGUMENT", `limit must be an integer from 1 to 1000, was ${limit}`);
    }
    const status = args.status;
    const jobs =
      status === undefined
        ? await ctx.db.query("jobs").order("desc").take(limit)
        : await ctx.db
            .query("jobs")
            .withIndex("by_status", (q) => q.eq("status", status))
            .order("desc")
            .take(limit);
    return jobs.map(jobSnapshot);
  },
});

// ---------------------------------------------------------------------------------------------
// Expired leases and metrics

/** Most expired leases handled per run; the cron runs every minute. */
const RECLAIM_BATCH = 200;

/** Expired leases looked at by one claimOne call before it gives up. */
const RECLAIM_PER_CLAIM = 10;

/** Jobs whose lease ran out before `now`, soonest expired first. */
async function expiredLeases(ctx: QueryCtx, now: number, limit: number): Promise<Doc<"jobs">[]> {
  return await ctx.db
    .query("jobs")
    .withIndex("by_leaseUntil", (q) => q.gte("leaseUntil", 0).lt("leaseUntil", now))
    .take(limit);
}

/**
 * Ends the expired lease of `job`: its attempt (counted when it was claimed) is over, back to
 * `pending` (due now) or `dead` when it was the last; a job that is no longer leased (it ended
 * otherwise) only loses its stale lock.
 */
async function reclaim(ctx: MutationCtx, job: Doc<"jobs">, now: number): Promise<"pending" | "dead" | "cleared"> {
  if (!isLeased(job.status)) {
    await ctx.db.patch("jobs", job._id, { ...CLEARED_LOCK });
    return "cleared";
  }
  const message = `lease expired: worker ${job.lockedBy ?? "?"} stopped heartbeating`;
  // Retryable, so the outcome is `pending` or `dead`, never `failed`.
  const { status } = await spendAttempt(ctx, job, now, message, true, () => now);
  return status === "pending" ? "pending" : "dead";
}

/** Reclaims expired leases until one job is back to `pending`, and returns it (or null). */
async function reclaimForClaim(ctx: MutationCtx, now: number): Promise<Doc<"jobs"> | null> {
  for (const job of await expiredLeases(ctx, now, RECLAIM_PER_CLAIM)) {
    if ((await reclaim(ctx, job, now)) === "pending") {
      return (await ctx.db.get("jobs", job._id))!;
    }
  }
  return null;
}

/**
 * Returns jobs whose holder stopped heartbeating (lease expired) to `pending` (the crashed attempt
 * stays counted), or to `dead` when it was the last. Also drops stale locks left on
 * jobs that ended otherwise (e.g. canceled while their worker was gone). Scheduled by crons.ts.
 */
export const reclaimExpired = internalMutation({
  args: {},
  returns: v.object({ reclaimed: v.number(), dead: v.number(), cleared: v.number() }),
  handler: async (ctx) => {
    const now = Date.now();
    let reclaimed = 0;
    let dead = 0;
    let cleared = 0;
    for (const job of await expiredLeases(ctx, now, RECLAIM_BATCH)) {
      const outcome = await reclaim(ctx, job, now);
      if (outcome === "pending") reclaimed++;
      else if (outcome === "dead") dead++;
      else cleared++;
    }
    if (reclaimed + dead + cleared > 0) {
      console.log(`reclaimExpired: ${reclaimed} back to pending, ${dead} dead, ${cleared} stale locks cleared`);
    }
    return { reclaimed, dead, cleared };
  },
});

/** Counting stops here per status; `cappedStatuses` names statuses that reached it. */
const COUNT_CAP = 1_000;
const HOUR_MS = 3_600_000;

/**
 * Queue health for dashboards: depth, running jobs, counts by status, last hour's throughput,
 * success rate (completed / (completed + failed + dead) over the last hour, null without any) and
 * average duration of last hour's completed jobs (claim to completion, null without any).
 */
export const getMetrics = query({
  args: { workerSecret },
  returns: v.object({
    queueDepth: v.number(),
    running: v.number(),
    byStatus: v.record(v.string(), v.number()),
    cappedStatuses: v.array(v.string()),
    jobsLastHour: v.number(),
    completedLastHour: v.number(),
    failedLastHour: v.number(),
    successRate: v.union(v.number(), v.null()),
    averageDurationMs: v.union(v.number(), v.null()),
    timestamp: v.number(),
  }),
  handler: async (ctx, args) => {
    // A worker/operator function: it reads up to ~13,000 rows, which no anonymous caller should be able to repeat.
    requireWorker(args.workerSecret);
    const now = Date.now();
    const hourAgo = now - HOUR_MS;
    const byStatus: Record<string, number> = {};
    const cappedStatuses: string[] = [];
    for (const status of ALL_STATUSES) {
      const rows = await ctx.db
        .query("jobs")
        .withIndex("by_status", (q) => q.eq("status", status))
        .take(COUNT_CAP);
      byStatus[status] = rows.length;
      if (rows.length === COUNT_CAP) cappedStatuses.push(status);
    }
    const finishedSince = async (status: JobStatus) =>
      await ctx.db
        .query("jobs")
        .withIndex("by_status_completedAt", (q) => q.eq("status", status).gte("completedAt", hourAgo))
        .take(COUNT_CAP);
    const completed = await finishedSince("completed");
    const failedLastHour = (await finishedSince("failed")).length + (await finishedSince("dead")).length;
    const jobsLastHour = (
      await ctx.db
        .query("jobs")
        .withIndex("by_creation_time", (q) => q.gte("_creationTime", hourAgo))
        .take(COUNT_CAP)
    ).length;
    const finished = completed.length + failedLastHour;
    const durations = completed.map((job) => job.completedAt! - (job.startedAt ?? job.createdAt));
    return {
      queueDepth: byStatus.pending,
      running: LEASED_STATUSES.reduce((sum, status) => sum + byStatus[status], 0),
      byStatus,
      cappedStatuses,
      jobsLastHour,
      completedLastHour: completed.length,
      failedLastHour,
      successRate: finished === 0 ? null : completed.length / finished,
      averageDurationMs:
        durations.length === 0 ? null : Math.round(durations.reduce((a, b) => a + b, 0) / durations.length),
      timestamp: now,
    };
  },
});

function truncate(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS)}… [${text.length - MAX_ERROR_CHARS} more characters cut]`;
}


// ---------------------------------------------------------------------------------------------
// Push: watch queries (owned by the sync/push work; see docs/convex-functions.md, "Push")
//
// Subscribed over Convex's WebSocket sync protocol, these are re-run by the deployment whenever a row
// they read changes, and the new result is pushed to every subscriber. They therefore read as little as
// possible (index ranges, `.first()`, a capped `.take()`) and never depend on `Date.now()`: a query's
// result is cached by what it read, not by time, so they return times and let the worker compare.

/** Most pending jobs counted by `watch`: enough to size a herd, cheap at any queue depth. */
const WATCH_PENDING_CAP = 100;

/**
 * What a worker needs to know to claim at the right moment: how many jobs are pending (up to
 * `WATCH_PENDING_CAP`, `pendingCapped` when there are more), the earliest `runAt` among them (0 when one
 * has none: due since always; null when none is pending), and the earliest `leaseUntil` among held jobs
 * (null when none), after which `claimOne` takes that job over. A job is due when `nextRunAt <= now`.
 */
export const watch = query({
  args: { workerSecret },
  returns: v.object({
    pending: v.number(),
    pendingCapped: v.boolean(),
    nextRunAt: v.union(v.number(), v.null()),
    nextLeaseUntil: v.union(v.number(), v.null()),
  }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    // by_status_runAt orders jobs without runAt first, then by runAt: the first row is the earliest.
    const pending = await ctx.db
      .query("jobs")
      .withIndex("by_status_runAt", (q) => q.eq("status", "pending"))
      .take(WATCH_PENDING_CAP + 1);
    const first = pending.length === 0 ? null : pending[0];
    const lease = await ctx.db
      .query("jobs")
      .withIndex("by_leaseUntil", (q) => q.gte("leaseUntil", 0))
      .first();
    return {
      pending: Math.min(pending.length, WATCH_PENDING_CAP),
      pendingCapped: pending.length > WATCH_PENDING_CAP,
      nextRunAt: first === null ? null : (first.runAt ?? 0),
      nextLeaseUntil: lease?.leaseUntil ?? null,
    };
  },
});

/**
 * The holder's view of one job, for pushed cancellation: `cancelRequested` as soon as the web app (or
 * `cancel`) asks, and whether the lease `leaseToken` still holds it. One document read.
 */
export const watchJob = query({
  args: { jobId: v.string(), leaseToken: v.string(), workerSecret },
  returns: v.object({ cancelRequested: v.boolean(), leaseHeld: v.boolean() }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const job = await findJob(ctx.db, args.jobId);
    if (job === null) return { cancelRequested: false, leaseHeld: false };
    const cancelRequested = isCancelRequested(job);
    const leaseHeld =
      job.leaseToken !== undefined &&
      job.leaseToken === args.leaseToken &&
      (isLeased(job.status) || cancelRequested);
    return { cancelRequested, leaseHeld };
  },
});
