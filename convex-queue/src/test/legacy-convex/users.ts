// Legacy fixture: the worker's user readers (the token is returned to anyone, as today).
import { v } from "convex/values";
import { query } from "./_generated/server";

export const getUserById = query({
  args: { userId: v.id("users") },
  handler: async (ctx, args) => await ctx.db.get(args.userId),
});

export const getGitHubToken = query({
  args: { githubId: v.string() },
  handler: async (ctx, args) => {
    const user = await ctx.db
      .query("users")
      .withIndex("by_github_id", (q) => q.eq("githubId", args.githubId))
      .first();
    return user?.githubAccessToken ?? null;
  },
});
