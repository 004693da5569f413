import { v } from "convex/values";
import type { Id } from "./_generated/dataModel";
import { mutation, query, type MutationCtx, type QueryCtx } from "./_generated/server";
import { allowPublic } from "./lib/auth";
import { endCheckpoint } from "./lib/checkpoints";
import { fail } from "./lib/errors";
import {
  CLEARED_LOCK,
  latestCompletedJob,
  requestCancellation,
  requireCallbackToken,
  requireRepositoryOwnedBy,
} from "./lib/jobs";
import { ACTIVE_STATUSES, DEFAULT_MAX_ATTEMPTS, isTerminal, jobSnapshot, randomToken } from "./lib/model";
import { noteWaiting } from "./lib/fairness";
import { createdJobValidator, jobSnapshotValidator } from "./lib/returns";
import { jobResult, workPhase } from "./schema";

/*
 * Web-facing job functions, compatible with the existing `jobs` module the web app calls. They need
 * no worker secret: the web app calls them without credentials (it has no Convex auth configured), so what
 * can be checked is checked (a job's user owns its repository, the callback token, the canceling user) and
 * the rest is public on purpose (`allowPublic`; see the access table in docs/convex-functions.md). Differences from the existing module: job reads no longer return
 * `callbackToken` (nor the queue's lease tokens), and a cancellation keeps the worker's lock so the
 * worker learns about it from its heartbeat and stops.
 */

const DEFAULT_PROMPT = "Generate course documentation";
const TOTAL_STEPS = 6;

async function activeJobOfRepository(ctx: MutationCtx, repositoryId: Id<"repositories">) {
  const jobs = await ctx.db
    .query("jobs")
    .withIndex("by_repository", (q) => q.eq("repositoryId", repositoryId))
    .order("desc")
    .take(100);
  return jobs.filter((job) => ACTIVE_STATUSES.includes(job.status));
}

async function insertJob(
  ctx: MutationCtx,
  userId: Id<"users">,
  repositoryId: Id<"repositories">,
  prompt: string,
  dedupeKey: string | undefined,
) {
  const now = Date.now();
  const callbackToken = randomToken();
  const jobId = await ctx.db.insert("jobs", {
    userId,
    repositoryId,
    status: "pending",
    prompt,
    callbackToken,
    createdAt: now,
    updatedAt: now,
    runAt: now,
    attempts: 0,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    currentStep: 0,
    totalSteps: TOTAL_STEPS,
    progress: "Initializing...",
    ...(dedupeKey !== undefined ? { dedupeKey } : {}),
    // Fair claims: the user's turn (lib/fairness.ts).
    userKey: userId,
    priority: 0,
  });
  await noteWaiting(ctx, (await ctx.db.get("jobs", jobId))!, now);
  return { jobId, callbackToken };
}

/**
 * Creates a pending job for a repository of `userId`; refuses another user's repository (FORBIDDEN) and a
 * repository that has an active job (CONFLICT).
 */
export const create = mutation({
  args: {
    userId: v.id("users"),
    repositoryId: v.id("repositories"),
    prompt: v.string(),
    dedupeKey: v.optional(v.string()),
  },
  returns: createdJobValidator,
  handler: async (ctx, args) => {
    await requireRepositoryOwnedBy(ctx.db, args.repositoryId, args.userId);
    if ((await activeJobOfRepository(ctx, args.repositoryId)).length > 0) {
      throw fail(
        "CONFLICT",
        "A job is already running for this repository. Please wait for it to complete or cancel it first.",
      );
    }
    return await insertJob(ctx, args.userId, args.repositoryId, args.prompt, args.dedupeKey);
  },
});

/**
 * What the "regenerate" button calls: cancels the repository's active job and queues a new one for the
 * repository's owner (a given `userId` must be that owner).
 */
export const regenerate = mutation({
  args: {
    repositoryId: v.id("repositories"),
    userId: v.optional(v.id("users")),
    prompt: v.optional(v.string()),
  },
  returns: createdJobValidator,
  handler: async (ctx, args) => {
    const repository = await requireRepositoryOwnedBy(ctx.db, args.repositoryId, args.userId ?? await ownerOf(ctx, args.repositoryId));
    for (const job of await activeJobOfRepository(ctx, args.repositoryId)) {
      await requestCancellation(ctx, job, "Superseded by a regeneration");
    }
    return await insertJob(
      ctx,
      args.userId ?? repository.userId,
      args.repositoryId,
      args.prompt ?? DEFAULT_PROMPT,
      undefined,
    );
  },
});

/** The repository's owner (for calls that name no user). */
async function ownerOf(ctx: QueryCtx, repositoryId: Id<"repositories">): Promise<Id<"users">> {
  const repository = await ctx.db.get("repositories", repositoryId);
  if (repository === null) throw fail("NOT_FOUND", "Repository not found");
  return repository.userId;
}

async function snapshotOf(ctx: QueryCtx, jobId: Id<"jobs">) {
  const job = await ctx.db.get("jobs", jobId);
  return job === null ? null : jobSnapshot(job);
}

export const getJob = query({
  args: { jobId: v.id("jobs") },
  returns: v.union(jobSnapshotValidator, v.null()),
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    return await snapshotOf(ctx, args.jobId);
  },
});

export const getById = query({
  args: { id: v.id("jobs") },
  returns: v.union(jobSnapshotValidator, v.null()),
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    return await snapshotOf(ctx, args.id);
  },
});

export const getJobByRepository = query({
  args: { repositoryId: v.id("repositories") },
  returns: v.union(jobSnapshotValidator, v.null()),
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    const job = await ctx.db
      .query("jobs")
      .withIndex("by_repository", (q) => q.eq("repositoryId", args.repositoryId))
      .order("desc")
      .first();
    return job === null ? null : jobSnapshot(job);
  },
});

export const getLatestCompletedByRepository = query({
  args: { repositoryId: v.id("repositories") },
  returns: v.union(jobSnapshotValidator, v.null()),
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    const job = await latestCompletedJob(ctx.db, args.repositoryId);
    return job === null ? null : jobSnapshot(job);
  },
});

export const listUserJobs = query({
  args: { userId: v.id("users") },
  returns: v.array(jobSnapshotValidator),
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    const jobs = await ctx.db
      .query("jobs")
      .withIndex("by_user", (q) => q.eq("userId", args.userId))
      .order("desc")
      .take(500);
    return jobs.map(jobSnapshot);
  },
});

/**
 * Status update authorised by the job's callback token (the web app's cancel route and legacy
 * callbacks). Setting `canceled` is a cancellation request: the worker's lock is kept so it learns
 * about it; other terminal statuses release the lock.
 */
export const updateStatus = mutation({
  args: {
    jobId: v.id("jobs"),
    // Every status but `claimed` and `dead`, which only the queue sets.
    status: v.union(
      v.literal("pending"),
      ...workPhase.members,
      v.literal("completed"),
      v.literal("failed"),
      v.literal("canceled"),
    ),
    callbackToken: v.string(),
    progress: v.optional(v.string()),
    currentStep: v.optional(v.number()),
    totalSteps: v.optional(v.number()),
    result: v.optional(jobResult),
    error: v.optional(v.string()),
  },
  returns: v.object({ success: v.literal(true) }),
  handler: async (ctx, args) => {
    const job = await requireCallbackToken(ctx.db, args.jobId, args.callbackToken);
    const now = Date.now();
    const details = {
      ...(args.progress ? { progress: args.progress } : {}),
      ...(args.currentStep !== undefined ? { currentStep: args.currentStep } : {}),
      ...(args.totalSteps !== undefined ? { totalSteps: args.totalSteps } : {}),
      ...(args.result ? { result: args.result } : {}),
      ...(args.error ? { error: args.error } : {}),
    };
    if (args.status === "canceled") {
      await requestCancellation(ctx, job, args.error ?? "Job cancelled by user");
      await ctx.db.patch("jobs", job._id, details);
      return { success: true as const };
    }
    if (job.status === "canceled" && job.cancelRequested === true) {
      // A canceled job is never revived or completed by a late status update.
      return { success: true as const };
    }
    await ctx.db.patch("jobs", job._id, {
      status: args.status,
      updatedAt: now,
      ...details,
      ...(isTerminal(args.status) ? { ...CLEARED_LOCK, completedAt: now } : {}),
      ...(args.status === "pending" ? { ...CLEARED_LOCK, runAt: now } : {}),
    });
    if (args.status === "pending") await noteWaiting(ctx, job, now);
    if (isTerminal(args.status)) await endCheckpoint(ctx, job._id);
    return { success: true as const };
  },
});

/**
 * Cancels an active job (pending at once; a running one when its worker next heartbeats). Public: the web
 * app's cancel button sends the job id only.
 */
export const requestCancel = mutation({
  args: { jobId: v.id("jobs") },
  returns: v.object({ success: v.literal(true) }),
  handler: async (ctx, args) => {
    allowPublic("web app: no credentials today");
    const job = await ctx.db.get("jobs", args.jobId);
    if (job === null) throw fail("NOT_FOUND", "Job not found");
    if (!ACTIVE_STATUSES.includes(job.status)) {
      throw fail("FAILED_PRECONDITION", "Job is not active and cannot be cancelled");
    }
    await requestCancellation(ctx, job, "Job cancelled by user");
    return { success: true as const };
  },
});

/** Cancels a job of the given user (older web app entry point). */
export const cancelJob = mutation({
  args: { jobId: v.id("jobs"), userId: v.id("users") },
  returns: v.object({ success: v.literal(true), jobId: v.id("jobs") }),
  handler: async (ctx, args) => {
    const job = await requireJobOf(ctx, args.jobId, args.userId);
    if (!ACTIVE_STATUSES.includes(job.status)) {
      throw fail("FAILED_PRECONDITION", "Cannot cancel job - it's not currently running");
    }
    await requestCancellation(ctx, job, "Job cancelled by user");
    return { success: true as const, jobId: args.jobId };
  },
});

/** The job, refused unless it belongs to `userId`. */
async function requireJobOf(ctx: QueryCtx, jobId: Id<"jobs">, userId: Id<"users">) {
  const job = await ctx.db.get("jobs", jobId);
  if (job === null) throw fail("NOT_FOUND", "Job not found");
  if (job.userId !== userId) throw fail("FORBIDDEN", "Unauthorized - you can only cancel your own jobs");
  return job;
}

/** Fails the repository's jobs stuck in `pending` for more than five minutes past their due time. */
export const clearStuckJobs = mutation({
  args: { repositoryId: v.id("repositories") },
  returns: v.object({ clearedJobsCount: v.number() }),
  handler: async (ctx, args) => {
    // It only fails jobs that no worker took for five minutes past their due time.
    allowPublic("web app: no credentials today");
    const now = Date.now();
    const fiveMinutesAgo = now - 5 * 60 * 1000;
    const pending = await ctx.db
      .query("jobs")
      .withIndex("by_repository_status", (q) => q.eq("repositoryId", args.repositoryId).eq("status", "pending"))
      .take(500);
    const stuck = pending.filter((job) => (job.runAt ?? job.createdAt) < fiveMinutesAgo);
    for (const job of stuck) {
      await ctx.db.patch("jobs", job._id, {
        ...CLEARED_LOCK,
        status: "failed",
        error: "Job cleared - was stuck in pending status",
        progress: "Job was stuck and has been cleared",
        completedAt: now,
        updatedAt: now,
      });
      await endCheckpoint(ctx, job._id);
    }
    return { clearedJobsCount: stuck.length };
  },
});
