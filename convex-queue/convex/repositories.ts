import { v } from "convex/values";
import { query } from "./_generated/server";

/*
 * Repository readers. Repository metadata is not secret (the web app lists it), so these need no
 * worker secret; `workerSecret` is accepted (and ignored) so a worker may send it uniformly.
 */

export const getByRepositoryId = query({
  args: { repositoryId: v.string(), workerSecret: v.optional(v.string()) },
  handler: async (ctx, args) => {
    const id = ctx.db.normalizeId("repositories", args.repositoryId);
    return id === null ? null : await ctx.db.get(id);
  },
});

export const listUserRepositories = query({
  args: { userId: v.id("users") },
  handler: async (ctx, args) =>
    await ctx.db
      .query("repositories")
      .withIndex("by_user", (q) => q.eq("userId", args.userId))
      .collect(),
});

export const getByFullName = query({
  args: { fullName: v.string() },
  handler: async (ctx, args) =>
    await ctx.db
      .query("repositories")
      .withIndex("by_full_name", (q) => q.eq("fullName", args.fullName))
      .collect(),
});
