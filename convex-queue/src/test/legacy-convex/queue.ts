// Legacy fixture: the existing `queue` module, to the letter of "Exact behaviour of the existing
// functions" in the reference fondation-system.md §1, defects included (see README.md).
import { v } from "convex/values";
import type { Doc } from "./_generated/dataModel";
import { internalMutation, mutation, query } from "./_generated/server";

const ACTIVE = ["pending", "claimed", "cloning", "analyzing", "gathering", "running"];
const LEASED = ["claimed", "cloning", "analyzing", "gathering", "running"];
const DEFAULT_LEASE_MS = 300_000;
const DEFAULT_MAX_ATTEMPTS = 5;

/** The one message the existing heartbeat, complete and retryOrFail throw for a job the caller does not hold. */
export const NOT_OWNED = "Job not found or not owned by worker";

function requireOwned(job: Doc<"jobs"> | null, workerId: string): Doc<"jobs"> {
  if (job === null || job.lockedBy !== workerId) throw new Error(NOT_OWNED);
  return job;
}

/**
 * The due pending job with the lowest `runAt` → `claimed` under a lease. Never changes `attempts`,
 * never takes over an expired lease (only `pending` jobs are looked at). Jobs without `runAt`
 * (the web app's `jobs:create` sets none) sort first in the index, so they count as due.
 */
export const claimOne = mutation({
  args: { workerId: v.string(), leaseMs: v.optional(v.number()) },
  handler: async (ctx, args) => {
    const now = Date.now();
    const job = await ctx.db
      .query("jobs")
      .withIndex("by_status_runAt", (q) => q.eq("status", "pending").lte("runAt", now))
      .first();
    if (job === null) return null;
    await ctx.db.patch(job._id, {
      status: "claimed",
      lockedBy: args.workerId,
      leaseUntil: now + (args.leaseMs ?? DEFAULT_LEASE_MS),
      updatedAt: now,
    });
    return {
      id: job._id,
      repositoryId: job.repositoryId,
      userId: job.userId,
      prompt: job.prompt,
      callbackToken: job.callbackToken,
      // Absent on a job that never had attempts set (the web app's jobs:create sets none).
      attempts: job.attempts,
    };
  },
});

/** Patches the given fields and renews the lease; an empty `progress` is ignored. */
export const heartbeat = mutation({
  args: {
    jobId: v.id("jobs"),
    workerId: v.string(),
    status: v.optional(v.union(v.literal("cloning"), v.literal("analyzing"), v.literal("gathering"), v.literal("running"))),
    progress: v.optional(v.string()),
    currentStep: v.optional(v.number()),
    totalSteps: v.optional(v.number()),
    leaseMs: v.optional(v.number()),
  },
  handler: async (ctx, args) => {
    requireOwned(await ctx.db.get(args.jobId), args.workerId);
    const now = Date.now();
    await ctx.db.patch(args.jobId, {
      ...(args.status !== undefined ? { status: args.status } : {}),
      ...(args.progress ? { progress: args.progress } : {}),
      ...(args.currentStep !== undefined ? { currentStep: args.currentStep } : {}),
      ...(args.totalSteps !== undefined ? { totalSteps: args.totalSteps } : {}),
      leaseUntil: now + (args.leaseMs ?? DEFAULT_LEASE_MS),
      updatedAt: now,
    });
    return { success: true };
  },
});

/** Completes the held job, whatever its status: a cancellation is overwritten (a defect kept on purpose). */
export const complete = mutation({
  args: {
    jobId: v.id("jobs"),
    workerId: v.string(),
    result: v.optional(v.any()),
    docsCount: v.optional(v.number()),
  },
  handler: async (ctx, args) => {
    requireOwned(await ctx.db.get(args.jobId), args.workerId);
    const now = Date.now();
    await ctx.db.patch(args.jobId, {
      status: "completed",
      ...(args.result !== undefined ? { result: args.result } : {}),
      ...(args.docsCount !== undefined ? { docsCount: args.docsCount } : {}),
      completedAt: now,
      updatedAt: now,
      lockedBy: undefined,
      leaseUntil: undefined,
    });
    return { success: true };
  },
});

/**
 * Spends an attempt: `dead` once attempts reach maxAttempts — without storing the new count (the
 * row keeps the previous one) — else `pending` after the backoff, answered as an ISO-8601 string.
 */
export const retryOrFail = mutation({
  args: { jobId: v.id("jobs"), workerId: v.string(), error: v.string() },
  handler: async (ctx, args) => {
    const job = requireOwned(await ctx.db.get(args.jobId), args.workerId);
    const now = Date.now();
    const attempts = (job.attempts ?? 0) + 1;
    if (attempts >= (job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
      await ctx.db.patch(args.jobId, {
        status: "dead",
        error: args.error,
        lastError: args.error,
        completedAt: now,
        updatedAt: now,
        lockedBy: undefined,
        leaseUntil: undefined,
      });
      return { status: "dead", attempts };
    }
    const nextRunAt = now + Math.min(5000 * 2 ** (attempts - 1), 600_000) + Math.random() * 5000;
    await ctx.db.patch(args.jobId, {
      status: "pending",
      attempts,
      lastError: args.error,
      runAt: nextRunAt,
      updatedAt: now,
      lockedBy: undefined,
      leaseUntil: undefined,
    });
    return { status: "retrying", attempts, nextRunAt: new Date(nextRunAt).toISOString() };
  },
});

/**
 * Expired leases back to `pending` (due at once: `runAt` is left as it was), without spending an
 * attempt. Internal, and nothing schedules it (the existing deployment has no crons.ts).
 */
export const reclaimExpired = internalMutation({
  args: {},
  handler: async (ctx) => {
    const now = Date.now();
    const expired = await ctx.db
      .query("jobs")
      .withIndex("by_leaseUntil", (q) => q.lt("leaseUntil", now))
      .collect();
    let count = 0;
    for (const job of expired) {
      if (job.leaseUntil === undefined || !LEASED.includes(job.status)) continue;
      await ctx.db.patch(job._id, { status: "pending", lockedBy: undefined, leaseUntil: undefined, lastError: "Lease expired", updatedAt: now });
      count++;
    }
    return count;
  },
});

/** A job for a user's repository; with a `dedupeKey` an active job that has it is returned instead. */
export const createJob = mutation({
  args: {
    userId: v.id("users"),
    repositoryId: v.id("repositories"),
    prompt: v.string(),
    callbackToken: v.string(),
    dedupeKey: v.optional(v.string()),
  },
  handler: async (ctx, args) => {
    if (args.dedupeKey !== undefined) {
      const existing = await ctx.db
        .query("jobs")
        .withIndex("by_dedupeKey", (q) => q.eq("dedupeKey", args.dedupeKey))
        .collect();
      const active = existing.find((job) => ACTIVE.includes(job.status));
      if (active !== undefined) return active._id;
    }
    const now = Date.now();
    return await ctx.db.insert("jobs", {
      userId: args.userId,
      repositoryId: args.repositoryId,
      prompt: args.prompt,
      callbackToken: args.callbackToken,
      status: "pending",
      runAt: now,
      attempts: 0,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      createdAt: now,
      updatedAt: now,
      ...(args.dedupeKey !== undefined ? { dedupeKey: args.dedupeKey } : {}),
    });
  },
});

/** Counts by status and last-hour activity. */
export const getMetrics = query({
  args: {},
  handler: async (ctx) => {
    const now = Date.now();
    const jobs = await ctx.db.query("jobs").collect();
    const byStatus: Record<string, number> = {};
    for (const job of jobs) byStatus[job.status] = (byStatus[job.status] ?? 0) + 1;
    return {
      byStatus,
      lastHour: jobs.filter((job) => job.createdAt > now - 3_600_000).length,
      timestamp: now,
    };
  },
});
