// Legacy fixture: the existing `queue` module's behaviour, defects included (see README.md).
import { v } from "convex/values";
import { internalMutation, mutation, query } from "./_generated/server";

const ACTIVE = ["pending", "claimed", "cloning", "analyzing", "gathering", "running"];

export const claimOne = mutation({
  args: { workerId: v.string(), leaseMs: v.optional(v.number()) },
  handler: async (ctx, args) => {
    const now = Date.now();
    const job = await ctx.db
      .query("jobs")
      .withIndex("by_status_runAt", (q) => q.eq("status", "pending"))
      .filter((q) => q.or(q.eq(q.field("runAt"), undefined), q.lte(q.field("runAt"), now)))
      .first();
    if (job === null) return null;
    await ctx.db.patch(job._id, {
      status: "claimed",
      lockedBy: args.workerId,
      leaseUntil: now + (args.leaseMs ?? 300_000),
      updatedAt: now,
    });
    return {
      id: job._id,
      repositoryId: job.repositoryId,
      userId: job.userId,
      prompt: job.prompt,
      callbackToken: job.callbackToken,
      attempts: job.attempts ?? 0,
    };
  },
});

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
    const job = await ctx.db.get(args.jobId);
    if (job === null) throw new Error("Job not found");
    if (job.lockedBy !== args.workerId) throw new Error("Job not locked by this worker");
    const now = Date.now();
    await ctx.db.patch(args.jobId, {
      ...(args.status !== undefined ? { status: args.status } : {}),
      ...(args.progress !== undefined ? { progress: args.progress } : {}),
      ...(args.currentStep !== undefined ? { currentStep: args.currentStep } : {}),
      ...(args.totalSteps !== undefined ? { totalSteps: args.totalSteps } : {}),
      leaseUntil: now + (args.leaseMs ?? 300_000),
      updatedAt: now,
    });
    return { success: true };
  },
});

export const complete = mutation({
  args: {
    jobId: v.id("jobs"),
    workerId: v.string(),
    result: v.optional(v.any()),
    docsCount: v.optional(v.number()),
  },
  handler: async (ctx, args) => {
    const job = await ctx.db.get(args.jobId);
    if (job === null) throw new Error("Job not found");
    if (job.lockedBy !== args.workerId) throw new Error("Job not locked by this worker");
    const now = Date.now();
    // Defect kept on purpose: a cancellation is overwritten.
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

export const retryOrFail = mutation({
  args: { jobId: v.id("jobs"), workerId: v.string(), error: v.string() },
  handler: async (ctx, args) => {
    const job = await ctx.db.get(args.jobId);
    if (job === null) throw new Error("Job not found");
    if (job.lockedBy !== args.workerId) throw new Error("Job not locked by this worker");
    const now = Date.now();
    const attempts = (job.attempts ?? 0) + 1;
    if (attempts >= (job.maxAttempts ?? 5)) {
      await ctx.db.patch(args.jobId, {
        status: "dead",
        attempts,
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
    return { status: "retrying", attempts, nextRunAt };
  },
});

// Defined but never scheduled in the existing deployment (no crons.ts).
export const reclaimExpired = internalMutation({
  args: {},
  handler: async (ctx) => {
    const now = Date.now();
    const expired = await ctx.db
      .query("jobs")
      .withIndex("by_leaseUntil")
      .filter((q) => q.and(q.neq(q.field("leaseUntil"), undefined), q.lt(q.field("leaseUntil"), now)))
      .collect();
    let count = 0;
    for (const job of expired) {
      if (!["claimed", "cloning", "analyzing", "gathering", "running"].includes(job.status)) continue;
      await ctx.db.patch(job._id, { status: "pending", lockedBy: undefined, leaseUntil: undefined, lastError: "Lease expired", updatedAt: now });
      count++;
    }
    return count;
  },
});

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
      maxAttempts: 5,
      createdAt: now,
      updatedAt: now,
      ...(args.dedupeKey !== undefined ? { dedupeKey: args.dedupeKey } : {}),
    });
  },
});

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
