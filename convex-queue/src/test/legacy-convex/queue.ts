// Legacy fixture: the existing `queue` module, to the letter of "Exact behaviour of the existing
// functions" in the reference fondation-system.md §1, defects included (see README.md).
//
// Where the reference is SILENT the fixture makes the plainest choice and says so here rather than inventing a
// shape: every write sets `updatedAt = now`; `complete` sets `completedAt = now` and stores `result`/`docsCount`
// only when given; `retryOrFail` stores the error as `lastError` when it retries too; `createJob` sets `runAt = now`,
// `attempts: 0`, `maxAttempts: 5`; `reclaimExpired`'s `checked` and getMetrics' "updated in the last hour" are
// described at the functions. Return shapes are never among the silences: tests-ts/legacy.shapes.test.ts holds each
// one to a table written from the reference.
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

/** What the existing reclaim writes into `lastError` (reference: fondation-system.md §1, queue functions table). */
export const LEASE_EXPIRED = "Lease expired - worker likely crashed";

/**
 * Every job whose `leaseUntil <= now` and whose status is leased → `pending`, `attempts + 1`, `runAt = now`,
 * `lastError = 'Lease expired - worker likely crashed'`, lock cleared. Returns `{reclaimed, checked}`. Internal, and
 * nothing schedules it (the existing deployment has no crons.ts). It never makes a job `dead`, whatever its attempts.
 *
 * Where the reference is silent: what `checked` counts (here: the jobs the `by_leaseUntil` range returned, leased or
 * not), whether `updatedAt` is touched (here: set to now, as every other write of the fixture does).
 */
export const reclaimExpired = internalMutation({
  args: {},
  handler: async (ctx) => {
    const now = Date.now();
    const expired = await ctx.db
      .query("jobs")
      .withIndex("by_leaseUntil", (q) => q.lte("leaseUntil", now))
      .collect();
    let reclaimed = 0;
    for (const job of expired) {
      if (job.leaseUntil === undefined || !LEASED.includes(job.status)) continue;
      await ctx.db.patch(job._id, {
        status: "pending",
        attempts: (job.attempts ?? 0) + 1,
        runAt: now,
        lastError: LEASE_EXPIRED,
        lockedBy: undefined,
        leaseUntil: undefined,
        updatedAt: now,
      });
      reclaimed++;
    }
    return { reclaimed, checked: expired.length };
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

/** What each count of getMetrics stops at: it is the length of a `take(100)`. */
export const METRICS_COUNT_CAP = 100;
const HOUR_MS = 3_600_000;

/**
 * Exactly `{counts: {pending, processing, completed, failed, dead}, recentActivity: {total, completed, failed},
 * timestamp}` (reference: "there is no byStatus field"). Each count is the length of `take(100)` on
 * `by_status_runAt` for one status, so at most 100; `processing` counts status `claimed` only (a job in
 * cloning/analyzing/gathering/running is in no count). `recentActivity` is over jobs updated in the last hour, at
 * most 100; its `failed` includes `dead`.
 *
 * Where the reference is silent: how "updated in the last hour" is read (here: a filter on `updatedAt >= now - 1 h`
 * over the table, `take(100)`; a row without `updatedAt` is not recent).
 */
export const getMetrics = query({
  args: {},
  handler: async (ctx) => {
    const now = Date.now();
    const count = async (status: Doc<"jobs">["status"]) =>
      (
        await ctx.db
          .query("jobs")
          .withIndex("by_status_runAt", (q) => q.eq("status", status))
          .take(METRICS_COUNT_CAP)
      ).length;
    const counts = {
      pending: await count("pending"),
      processing: await count("claimed"),
      completed: await count("completed"),
      failed: await count("failed"),
      dead: await count("dead"),
    };
    const recent = await ctx.db
      .query("jobs")
      .filter((q) => q.gte(q.field("updatedAt"), now - HOUR_MS))
      .take(METRICS_COUNT_CAP);
    return {
      counts,
      recentActivity: {
        total: recent.length,
        completed: recent.filter((job) => job.status === "completed").length,
        failed: recent.filter((job) => job.status === "failed" || job.status === "dead").length,
      },
      timestamp: now,
    };
  },
});
