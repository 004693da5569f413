import { v } from "convex/values";
import type { Doc } from "./_generated/dataModel";
import { internal } from "./_generated/api";
import { internalMutation, internalQuery, mutation, query, type MutationCtx, type QueryCtx } from "./_generated/server";
import { allowPublic, requireWorker } from "./lib/auth";
import { endCheckpoint } from "./lib/checkpoints";
import { countDepth, requireDepthLimit, requireDepthNow } from "./lib/depth";
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
import {
  budgetSpentMessage,
  capFor,
  isSpent,
  leftUsd,
  requireUsd,
  spentUsd,
  withAttemptCost,
} from "./lib/costs";
import {
  ADOPT_PER_CLAIM,
  CLAIM_READ_BUDGET,
  ReadCounter,
  adoptUnmanaged,
  claimStamp,
  maxRunningPerUser,
  nextJobByTurns,
  noteWaiting,
  refreshLane,
  repairEarliestDue,
  requirePriority,
  requireUserKey,
  strayDueJob,
  underCap,
  userKeyOf,
} from "./lib/fairness";
import {
  blockedUntil,
  pauseOf,
  pauseView,
  probeDue,
  recordLimit,
  requireFingerprint,
  requireRetryAfterMs,
  startProbe,
} from "./lib/pauses";
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
  "fair-claims",
  "llm-pauses",
  // claimOne's `answerPause` and `probe`: an empty claim says the pause that held it back, a claim whether it is the probe
  "claim-answers-pause",
  "cost-budgets",
  // convex/checkpoints.ts: resumable analyses (issue 23)
  "checkpoints",
  // queue:depth and the HTTP route /queue/depth (convex/http.ts): the depth an autoscaler scales on (issue 21)
  "depth",
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

/** A limit an LLM API answered with (lib/pauses.ts). */
const limitKind = v.union(v.literal("rate_limit"), v.literal("overloaded"));

/** A credential's pause as readers see it (lib/pauses.ts `pauseView`): `claimOne`, `getPause`, `listPauses`, ... */
const pauseValidator = v.object({
  credential: v.string(),
  kind: limitKind,
  until: v.number(),
  resumesAt: v.number(),
  strikes: v.number(),
  since: v.number(),
  retryAfterMs: v.optional(v.number()),
  probeUntil: v.optional(v.number()),
  probeBy: v.optional(v.string()),
  recordedBy: v.string(),
  updatedAt: v.number(),
});

/** How many jobs one claim may find spent (and end) before it gives up for this call. */
const SPENT_JOBS_PER_CLAIM = 3;

/**
 * Claims a due pending job under a lease, taking turns between users (lib/fairness.ts): the user whose last
 * claim is oldest first (ties by the oldest waiting job), within a user the highest priority then the earliest
 * runAt, skipping users at FONDATION_MAX_RUNNING_PER_USER live leases. When no job is due, a job whose lease
 * expired is reclaimed and claimed. With a `credential` fingerprint, claims nothing while that credential is
 * paused (lib/pauses.ts); the first claim after the pause is the probe, and its answer says so (`probe: true`), so
 * that its worker clears the pause after a successful analysis without reading it first. With `answerPause: true`
 * (feature "claim-answers-pause"), a claim held back by the pause answers `{paused: <the pause>}` instead of `null`:
 * its worker waits until `resumesAt` without another call (workers that predate it do not send it and get `null`).
 * With `maxCostUsd` (the worker's default cap), a job without its own cap gets that one; the answer says what is
 * left (`budgetUsd`), and a job with nothing left ends `dead` instead of being claimed.
 * With a `claimToken` that this worker's current lease was taken with, returns that job again
 * instead of claiming another one: the answer to a claim whose response was lost.
 */
export const claimOne = mutation({
  args: {
    workerId: v.string(),
    leaseMs: v.optional(v.number()),
    claimToken: v.optional(v.string()),
    credential: v.optional(v.string()),
    maxCostUsd: v.optional(v.number()),
    answerPause: v.optional(v.boolean()),
    workerSecret,
  },
  returns: v.union(claimResultValidator(), v.object({ paused: pauseValidator }), v.null()),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    requireNonBlank("workerId", args.workerId);
    const leaseMs = requireLeaseMs(args.leaseMs);
    const credential = args.credential === undefined ? undefined : requireFingerprint(args.credential);
    const defaultCap = requireUsd("maxCostUsd", args.maxCostUsd);
    const now = Date.now();

    // One read: while the credential is paused (or its probe is out), nothing is claimed with it.
    const pause = credential === undefined ? null : await pauseOf(ctx.db, credential);

    if (args.claimToken !== undefined) {
      requireNonBlank("claimToken", args.claimToken);
      const previous = await ctx.db
        .query("jobs")
        .withIndex("by_claimToken", (q) => q.eq("claimToken", args.claimToken))
        .first();
      if (previous !== null && previous.lockedBy === args.workerId && isLeased(previous.status)) {
        // The lost answer said whether it was the probe: the pause still names its job then.
        const probe = pause !== null && pause.probeJobId === previous._id && pause.probeBy === args.workerId;
        return await claimResult(ctx, previous, undefined, probe);
      }
    }

    if (blockedUntil(pause, now) !== null) return args.answerPause === true ? { paused: pauseView(pause!) } : null;

    const cap = maxRunningPerUser();
    const reads = new ReadCounter(CLAIM_READ_BUDGET);
    await adoptUnmanaged(ctx, ADOPT_PER_CLAIM, reads);
    await repairEarliestDue(ctx, now, reads);
    let target: Doc<"jobs"> | null = null;
    let costLimit: number | undefined;
    for (let tries = 0; tries < SPENT_JOBS_PER_CLAIM && target === null; tries++) {
      const candidate =
        (await nextJobByTurns(ctx, now, cap, reads)) ??
        (await strayDueJob(ctx, now, cap, reads)) ??
        // No pending job due: take over a job whose holder stopped heartbeating, without waiting for
        // the reclaimExpired cron (which still catches them when no worker is polling).
        (await reclaimForClaim(ctx, now, cap, reads));
      if (candidate === null) break;
      costLimit = capFor(candidate, defaultCap);
      if (isSpent(costLimit, spentUsd(candidate))) {
        await endSpent(ctx, candidate, costLimit!, now);
        continue;
      }
      target = candidate;
    }
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
      costLimitUsd: costLimit,
    });
    await refreshLane(ctx, userKeyOf(target), await claimStamp(ctx.db, now));
    const probe = pause !== null && probeDue(pause, now);
    if (probe) await startProbe(ctx, pause, now, args.workerId, target._id);
    const claimed = await ctx.db.get("jobs", target._id);
    return await claimResult(ctx, claimed!, dueAt, probe);
  },
});

/** Ends a pending job whose budget is spent: `dead`, no attempt counted, with a message that says so. */
async function endSpent(ctx: MutationCtx, job: Doc<"jobs">, cap: number, now: number): Promise<void> {
  const message = budgetSpentMessage(spentUsd(job), cap, job.attempts ?? 0, job.lastError);
  await ctx.db.patch("jobs", job._id, {
    ...CLEARED_LOCK,
    status: "dead",
    attempts: job.attempts ?? 0,
    error: message,
    lastError: message,
    costLimitUsd: cap,
    completedAt: now,
    updatedAt: now,
  });
  await refreshLane(ctx, userKeyOf(job));
}

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
    userKey: v.string(),
    priority: v.number(),
    costUsd: v.number(),
    budgetUsd: v.optional(v.number()),
    // Whether this claim is the probe of the claim's credential (lib/pauses.ts).
    probe: v.boolean(),
  });
}

async function claimResult(ctx: QueryCtx, job: Doc<"jobs">, dueAt?: number, probe = false) {
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
    userKey: userKeyOf(job),
    priority: job.priority ?? 0,
    costUsd: spentUsd(job),
    // What is left for this attempt: the worker passes it to the analyzer as its own cap.
    ...(job.costLimitUsd !== undefined ? { budgetUsd: leftUsd(job.costLimitUsd, spentUsd(job)) } : {}),
    probe,
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
    /** What the completing attempt cost, in US dollars (added to the job's `costUsd`). */
    costUsd: v.optional(v.number()),
    workerSecret,
  },
  returns: v.object({
    outcome: v.union(v.literal("completed"), v.literal("already_completed"), v.literal("canceled"), v.literal("not_held")),
  }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const attemptCost = requireUsd("costUsd", args.costUsd);
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
          costUsd: withAttemptCost(job, attemptCost),
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
      costUsd: withAttemptCost(job, attemptCost),
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
 * `dead` (it was the last, or its cost used up the job's budget) or back to `pending` after the backoff (at least
 * `minDelayMs`). `costUsd`, what the attempt cost, is added to the job's total.
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
    costUsd: v.optional(v.number()),
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
    const attemptCost = requireUsd("costUsd", args.costUsd);
    const found = await findJob(ctx.db, args.jobId);
    if (found === null) return { status: "not_held" as const, attempts: 0 };
    const notHeld = { status: "not_held" as const, attempts: found.attempts ?? 0 };
    if (!holdsLock(found, args.workerId, args.leaseToken)) return notHeld;
    const now = Date.now();
    const error = truncate(args.error);
    const costUsd = withAttemptCost(found, attemptCost);
    if (isCancelRequested(found)) {
      // Canceled while working: the cancellation stands; only the lock is given back.
      await ctx.db.patch("jobs", found._id, { ...CLEARED_LOCK, lastError: error, updatedAt: now, costUsd });
      return notHeld;
    }
    if (!isLeased(found.status)) return notHeld;
    const job = { ...found, costUsd };
    if (costUsd !== found.costUsd) await ctx.db.patch("jobs", job._id, { costUsd });
    const cap = job.costLimitUsd ?? job.maxCostUsd;
    if (args.retryable !== false && isSpent(cap, spentUsd(job))) {
      // The budget is spent: retrying could only cost more. Dead, whatever attempts are left.
      const attempts = Math.max(job.attempts ?? 0, 1);
      await endSpent(ctx, { ...job, attempts, lastError: error }, cap!, now);
      const progress = progressFields(args);
      if (Object.keys(progress).length > 0) await ctx.db.patch("jobs", job._id, progress);
      return { status: "dead" as const, attempts };
    }
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
  await noteWaiting(ctx, job, runAt);
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
    /** What the given-back attempt cost so far, in US dollars: it counts towards the budget all the same. */
    costUsd: v.optional(v.number()),
    workerSecret,
  },
  returns: v.object({ released: v.boolean() }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const attemptCost = requireUsd("costUsd", args.costUsd);
    const job = await findJob(ctx.db, args.jobId);
    if (job === null || !holdsLock(job, args.workerId, args.leaseToken)) return { released: false };
    const now = Date.now();
    const costUsd = withAttemptCost(job, attemptCost);
    if (isCancelRequested(job)) {
      // The cancellation stands; only the lock is given back.
      await ctx.db.patch("jobs", job._id, { ...CLEARED_LOCK, updatedAt: now, costUsd });
      return { released: false };
    }
    if (!isLeased(job.status)) return { released: false };
    await ctx.db.patch("jobs", job._id, {
      ...CLEARED_LOCK,
      status: "pending",
      attempts: Math.max((job.attempts ?? 0) - 1, 0),
      runAt: now,
      updatedAt: now,
      costUsd,
    });
    await noteWaiting(ctx, job, now);
    return { released: true };
  },
});

// ---------------------------------------------------------------------------------------------
// One pause for the fleet per LLM credential (lib/pauses.ts)

/**
 * Rate-limited releases a job gets free. Past them, a rate limit spends the attempt like any retryable failure
 * (and the job ends `dead` after its last), so a job that meets the limit after every pause still ends as the
 * retry policy says: at most FREE_RATE_LIMITED_RELEASES + maxAttempts runs.
 */
const FREE_RATE_LIMITED_RELEASES = 10;

/**
 * Records that an analyzer met a rate limit or an overload with this credential (its fingerprint): no claim
 * naming the credential gets a job until the pause ends, and then only one (the probe) until the probe reports.
 * For a limit met outside a job; a worker holding the job that met it calls `releaseRateLimited`.
 */
export const recordPause = mutation({
  args: {
    credential: v.string(),
    kind: limitKind,
    retryAfterMs: v.optional(v.number()),
    workerId: v.string(),
    workerSecret,
  },
  returns: pauseValidator,
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    requireNonBlank("workerId", args.workerId);
    const credential = requireFingerprint(args.credential);
    const pause = await recordLimit(
      ctx,
      credential,
      args.kind,
      requireRetryAfterMs(args.retryAfterMs),
      args.workerId,
      Date.now(),
      Math.random(),
    );
    return pauseView(pause);
  },
});

/**
 * Ends the credential's pause once it has run its course (the probe's run got an answer from the API): claims
 * resume at once instead of at the end of the probe window, and the next limit starts a new streak. A pause still
 * in force is kept (a request of a job that began before it and got through proves little): `{cleared: false}`.
 */
export const clearPause = mutation({
  args: { credential: v.string(), workerId: v.string(), workerSecret },
  returns: v.object({ cleared: v.boolean() }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const pause = await pauseOf(ctx.db, requireFingerprint(args.credential));
    if (pause === null || Date.now() < pause.until) return { cleared: false };
    await ctx.db.delete("llmPauses", pause._id);
    return { cleared: true };
  },
});

/**
 * The credential's pause, or null: one document read, and no `Date.now()`, so a worker may subscribe to it and
 * compare `resumesAt` with its clock (for /health, metrics and status).
 */
export const getPause = query({
  args: { credential: v.string(), workerSecret },
  returns: v.union(pauseValidator, v.null()),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const pause = await pauseOf(ctx.db, requireFingerprint(args.credential));
    return pause === null ? null : pauseView(pause);
  },
});

/**
 * Among the 100 pauses that ended last (or end latest), those whose claims resume at `since` or later: what an
 * operator's `status` shows. One index range of at most 100 documents.
 */
export const listPauses = query({
  args: { since: v.number(), workerSecret },
  returns: v.array(pauseValidator),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    // why `since` as an argument: a query must not read the clock (its cached result would not follow it).
    const latest = await ctx.db.query("llmPauses").withIndex("by_until").order("desc").take(100);
    return latest.map(pauseView).filter((pause) => pause.resumesAt >= args.since);
  },
});

/**
 * Gives back the held job whose analyzer met a rate limit or an overload, and records the pause for the credential
 * (as `recordPause`). The job is pending again at once, its attempt given back, up to FREE_RATE_LIMITED_RELEASES
 * times; after that the limit spends the attempt (`retrying` no earlier than the pause's end, or `dead`). The
 * attempt's cost counts towards the budget, and a budget spent ends the job `dead`.
 */
export const releaseRateLimited = mutation({
  args: {
    jobId: v.string(),
    workerId: v.string(),
    leaseToken: v.string(),
    credential: v.string(),
    kind: limitKind,
    retryAfterMs: v.optional(v.number()),
    error: v.string(),
    costUsd: v.optional(v.number()),
    workerSecret,
  },
  returns: v.object({
    pause: pauseValidator,
    outcome: v.union(v.literal("released"), v.literal("retrying"), v.literal("dead"), v.literal("not_held")),
    attempts: v.number(),
    rateLimitedReleases: v.number(),
    nextRunAt: v.optional(v.number()),
  }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    requireNonBlank("workerId", args.workerId);
    const credential = requireFingerprint(args.credential);
    const retryAfterMs = requireRetryAfterMs(args.retryAfterMs);
    const attemptCost = requireUsd("costUsd", args.costUsd);
    const now = Date.now();
    // The limit is a fact about the credential whoever holds the job now.
    const pause = pauseView(await recordLimit(ctx, credential, args.kind, retryAfterMs, args.workerId, now, Math.random()));
    const found = await findJob(ctx.db, args.jobId);
    if (found === null || !holdsLock(found, args.workerId, args.leaseToken)) {
      return { pause, outcome: "not_held" as const, attempts: found?.attempts ?? 0, rateLimitedReleases: found?.rateLimitedReleases ?? 0 };
    }
    const error = truncate(args.error);
    const costUsd = withAttemptCost(found, attemptCost);
    const releases = found.rateLimitedReleases ?? 0;
    const notHeld = { pause, outcome: "not_held" as const, attempts: found.attempts ?? 0, rateLimitedReleases: releases };
    if (isCancelRequested(found)) {
      await ctx.db.patch("jobs", found._id, { ...CLEARED_LOCK, lastError: error, updatedAt: now, costUsd });
      return notHeld;
    }
    if (!isLeased(found.status)) return notHeld;
    const job = { ...found, costUsd };
    const cap = job.costLimitUsd ?? job.maxCostUsd;
    if (isSpent(cap, spentUsd(job))) {
      const attempts = Math.max(job.attempts ?? 0, 1);
      await endSpent(ctx, { ...job, attempts, lastError: error }, cap!, now);
      await ctx.db.patch("jobs", job._id, { costUsd });
      return { pause, outcome: "dead" as const, attempts, rateLimitedReleases: releases };
    }
    if (releases < FREE_RATE_LIMITED_RELEASES) {
      const attempts = Math.max((job.attempts ?? 0) - 1, 0);
      await ctx.db.patch("jobs", job._id, {
        ...CLEARED_LOCK,
        status: "pending",
        attempts,
        // Due at once: a worker with another credential may run it; this credential's workers wait for the pause.
        runAt: now,
        rateLimitedReleases: releases + 1,
        lastError: error,
        updatedAt: now,
        costUsd,
      });
      await noteWaiting(ctx, job, now);
      return { pause, outcome: "released" as const, attempts, rateLimitedReleases: releases + 1 };
    }
    await ctx.db.patch("jobs", job._id, { costUsd });
    const spent = await spendAttempt(
      ctx,
      job,
      now,
      `${error} [rate limited ${releases + 1} times: this attempt counts]`,
      true,
      (attempts) => Math.max(now + backoffMs(attempts, Math.random()), pause.until),
    );
    return spent.status === "pending"
      ? { pause, outcome: "retrying" as const, attempts: spent.attempts, rateLimitedReleases: releases, nextRunAt: spent.runAt }
      : { pause, outcome: "dead" as const, attempts: spent.attempts, rateLimitedReleases: releases };
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
    /** Whose turn the job waits for (fair claims); none: the anonymous user shared by every job without one. */
    user: v.optional(v.string()),
    /** Higher first among the user's own due jobs: an integer from -1000 to 1000, default 0. */
    priority: v.optional(v.number()),
    /** The most the job's attempts may cost together, in US dollars. */
    maxCostUsd: v.optional(v.number()),
    workerSecret,
  },
  returns: v.id("jobs"),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const userKey = requireUserKey(args.user);
    const priority = requirePriority(args.priority);
    const maxCostUsd = requireUsd("maxCostUsd", args.maxCostUsd);
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
      userKey,
      priority,
      ...(maxCostUsd !== undefined ? { maxCostUsd } : {}),
    });
    await noteWaiting(ctx, (await ctx.db.get("jobs", id))!, args.runAt ?? now);
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
    priority: v.optional(v.number()),
    maxCostUsd: v.optional(v.number()),
    workerSecret,
  },
  returns: v.id("jobs"),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const priority = requirePriority(args.priority);
    const maxCostUsd = requireUsd("maxCostUsd", args.maxCostUsd);
    await requireRepositoryOwnedBy(ctx.db, args.repositoryId, args.userId);
    if (args.dedupeKey !== undefined) {
      const existing = await activeJobWithDedupeKey(ctx, args.dedupeKey);
      if (existing !== null) return existing._id;
    }
    const now = Date.now();
    const id = await ctx.db.insert("jobs", {
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
      userKey: args.userId,
      priority,
      ...(maxCostUsd !== undefined ? { maxCostUsd } : {}),
    });
    await noteWaiting(ctx, (await ctx.db.get("jobs", id))!, now);
    return id;
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
/**
 * Reclaims expired leases until one job is back to `pending` whose user is under the cap, and returns it (or
 * null). The others stay pending, their turn noted.
 */
async function reclaimForClaim(ctx: MutationCtx, now: number, cap: number, reads: ReadCounter): Promise<Doc<"jobs"> | null> {
  const expired = await expiredLeases(ctx, now, RECLAIM_PER_CLAIM);
  reads.read(expired.length);
  for (const job of expired) {
    if ((await reclaim(ctx, job, now)) === "pending" && (await underCap(ctx.db, userKeyOf(job), now, cap, reads))) {
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

/** Rows adopted per run of `adoptPending`. */
const ADOPT_BATCH = 500;

/**
 * Gives pending rows that other code inserted without a user key (the web app's own functions, rows older than
 * fair claims) their user key and turn, oldest first, 500 per run. Claims adopt a few each too; this catches up
 * with a backlog. Scheduled by crons.ts.
 */
export const adoptPending = internalMutation({
  args: {},
  returns: v.object({ adopted: v.number() }),
  handler: async (ctx) => {
    const adopted = await adoptUnmanaged(ctx, ADOPT_BATCH);
    if (adopted > 0) console.log(`adoptPending: ${adopted} pending job(s) given a user key and a turn`);
    return { adopted };
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

// ---------------------------------------------------------------------------------------------
// Depth, for autoscaling (lib/depth.ts; served to KEDA by the HTTP route in http.ts)

const depthValidator = v.object({
  pending: v.number(),
  due: v.number(),
  running: v.number(),
  paused: v.number(),
  wanted: v.number(),
  limit: v.number(),
  capped: v.array(v.union(v.literal("pending"), v.literal("due"), v.literal("running"), v.literal("paused"))),
  now: v.number(),
});

/**
 * The queue's depth at `now` (lib/depth.ts): `{pending, due, running, paused, wanted, limit, capped, now}`, each count
 * up to `limit` (default 100). `now` is an argument, not `Date.now()`: Convex caches a query's result by its arguments
 * and what it read, so a query that read the clock could answer an old "due"; a new `now` is a new query.
 */
export const depth = query({
  args: { now: v.number(), limit: v.optional(v.number()), workerSecret },
  returns: depthValidator,
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    return await countDepth(ctx.db, requireDepthNow(args.now), requireDepthLimit(args.limit), maxRunningPerUser());
  },
});

/** `depth` for the HTTP route (http.ts), which checks its own token (FONDATION_DEPTH_TOKEN) instead of the worker secret. */
export const depthForRoute = internalQuery({
  args: { now: v.number(), limit: v.optional(v.number()) },
  returns: depthValidator,
  handler: async (ctx, args) =>
    await countDepth(ctx.db, requireDepthNow(args.now), requireDepthLimit(args.limit), maxRunningPerUser()),
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
