import { v } from "convex/values";
import { query } from "./_generated/server";
import { allowPublic, checkWorkerSecretIfGiven } from "./lib/auth";
import { repositoryValidator } from "./lib/returns";

/*
 * Repository readers. Repository metadata is not secret (the web app lists it without credentials), so these
 * need no worker secret. `getByRepositoryId` is also the worker's lookup: a `workerSecret` it is given must be
 * right, so that a misconfigured worker fails at once instead of later.
 */

export const getByRepositoryId = query({
  args: { repositoryId: v.string(), workerSecret: v.optional(v.string()) },
  returns: v.union(repositoryValidator, v.null()),
  handler: async (ctx, args) => {
    checkWorkerSecretIfGiven(args.workerSecret);
    const id = ctx.db.normalizeId("repositories", args.repositoryId);
    return id === null ? null : await ctx.db.get("repositories", id);
  },
});

export const listUserRepositories = query({
  args: { userId: v.id("users") },
  returns: v.array(repositoryValidator),
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    return await ctx.db
      .query("repositories")
      .withIndex("by_user", (q) => q.eq("userId", args.userId))
      .collect();
  },
});

export const getByFullName = query({
  args: { fullName: v.string() },
  returns: v.array(repositoryValidator),
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    return await ctx.db
      .query("repositories")
      .withIndex("by_full_name", (q) => q.eq("fullName", args.fullName))
      .collect();
  },
});
