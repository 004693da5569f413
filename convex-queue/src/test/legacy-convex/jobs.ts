// Legacy fixture: the web app's `jobs` functions the worker tests need.
//
// Where the reference is SILENT: it names `create`, `regenerate`, `getJob`, `updateStatus`, `requestCancel`,
// `clearStuckJobs`, `listUserJobs` and says what some of them do, but gives the arguments and return value only of
// `getJob` (`{jobId}` → the whole document or null). The rest here is the plainest shape that does what the
// reference says (`create` → `{jobId, callbackToken}` with no `runAt`/`attempts`, as the web app's jobs have none;
// `requestCancel` sets `cancelRequested` and `canceled`; `updateStatus` checks the callback token), not a claim about
// the real web app; `regenerate` and `clearStuckJobs` are left out (nothing calls them here).
import { v } from "convex/values";
import { mutation, query } from "./_generated/server";

export const create = mutation({
  args: { userId: v.id("users"), repositoryId: v.id("repositories"), prompt: v.string() },
  handler: async (ctx, args) => {
    const now = Date.now();
    const callbackToken = `cb-${Math.random().toString(36).slice(2)}`;
    const jobId = await ctx.db.insert("jobs", {
      userId: args.userId,
      repositoryId: args.repositoryId,
      status: "pending",
      prompt: args.prompt,
      callbackToken,
      createdAt: now,
      currentStep: 0,
      totalSteps: 6,
      progress: "Initializing...",
    });
    return { jobId, callbackToken };
  },
});

export const getJob = query({
  args: { jobId: v.id("jobs") },
  handler: async (ctx, args) => await ctx.db.get(args.jobId),
});

export const requestCancel = mutation({
  args: { jobId: v.id("jobs") },
  handler: async (ctx, args) => {
    const job = await ctx.db.get(args.jobId);
    if (job === null) throw new Error("Job not found");
    if (!["pending", "claimed", "running", "cloning", "analyzing", "gathering"].includes(job.status)) {
      throw new Error("Job is not active and cannot be cancelled");
    }
    await ctx.db.patch(args.jobId, { cancelRequested: true, status: "canceled", error: "Job cancelled by user", completedAt: Date.now() });
    return { success: true };
  },
});

export const updateStatus = mutation({
  args: {
    jobId: v.id("jobs"),
    status: v.union(
      v.literal("pending"),
      v.literal("cloning"),
      v.literal("analyzing"),
      v.literal("gathering"),
      v.literal("running"),
      v.literal("completed"),
      v.literal("failed"),
      v.literal("canceled"),
    ),
    callbackToken: v.string(),
    progress: v.optional(v.string()),
    error: v.optional(v.string()),
  },
  handler: async (ctx, args) => {
    const job = await ctx.db.get(args.jobId);
    if (job === null) throw new Error("Job not found");
    if (job.callbackToken !== args.callbackToken) throw new Error("Invalid callback token");
    await ctx.db.patch(args.jobId, {
      status: args.status,
      ...(args.progress ? { progress: args.progress } : {}),
      ...(args.error ? { error: args.error } : {}),
    });
    return { success: true };
  },
});

export const listUserJobs = query({
  args: { userId: v.id("users") },
  handler: async (ctx, args) =>
    await ctx.db
      .query("jobs")
      .withIndex("by_user", (q) => q.eq("userId", args.userId))
      .order("desc")
      .collect(),
});
