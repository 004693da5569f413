import { v } from "convex/values";
import type { Doc } from "./_generated/dataModel";
import { mutation, query, type DatabaseReader } from "./_generated/server";
import { allowPublic, checkWorkerSecretIfGiven, requireWorker } from "./lib/auth";
import { publicUserValidator } from "./lib/returns";

/*
 * Users. Public readers never return `githubAccessToken`; only `getGitHubToken`, a worker
 * function, returns it (still encrypted by the web app: enc_v1_..., legacy obf_...). The readers and
 * `createOrUpdateUser` are called by the web app without credentials (it has no Convex auth configured);
 * `getUserById` is also the worker's lookup and checks a `workerSecret` it is given.
 */

function userByGithubId(db: DatabaseReader, githubId: string): Promise<Doc<"users"> | null> {
  return db
    .query("users")
    .withIndex("by_github_id", (q) => q.eq("githubId", githubId))
    .first();
}

function publicUser(user: Doc<"users">) {
  const { githubAccessToken: _secret, ...rest } = user;
  return rest;
}

const maybeUser = v.union(publicUserValidator, v.null());

export const getUserById = query({
  args: { userId: v.string(), workerSecret: v.optional(v.string()) },
  returns: maybeUser,
  handler: async (ctx, args) => {
    checkWorkerSecretIfGiven(args.workerSecret);
    const id = ctx.db.normalizeId("users", args.userId);
    const user = id === null ? null : await ctx.db.get("users", id);
    return user === null ? null : publicUser(user);
  },
});

export const getUserByGithubId = query({
  args: { githubId: v.string() },
  returns: maybeUser,
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    const user = await userByGithubId(ctx.db, args.githubId);
    return user === null ? null : publicUser(user);
  },
});

export const getCurrentUser = query({
  args: { githubId: v.optional(v.string()) },
  returns: maybeUser,
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    const githubId = args.githubId;
    if (!githubId) return null;
    const user = await userByGithubId(ctx.db, githubId);
    return user === null ? null : publicUser(user);
  },
});

export const createOrUpdateUser = mutation({
  args: {
    githubId: v.string(),
    username: v.string(),
    email: v.optional(v.string()),
    avatarUrl: v.optional(v.string()),
    githubAccessToken: v.optional(v.string()),
  },
  returns: v.id("users"),
  handler: async (ctx, args) => {
    // The web app's sign-in callback. Known limit: anyone who can reach the deployment can call it too.
    allowPublic("web app: no credentials today");
    const existing = await userByGithubId(ctx.db, args.githubId);
    const token = args.githubAccessToken !== undefined ? { githubAccessToken: args.githubAccessToken } : {};
    if (existing !== null) {
      await ctx.db.patch("users", existing._id, { username: args.username, email: args.email, avatarUrl: args.avatarUrl, ...token });
      return existing._id;
    }
    return await ctx.db.insert("users", {
      githubId: args.githubId,
      username: args.username,
      email: args.email,
      avatarUrl: args.avatarUrl,
      createdAt: Date.now(),
      ...token,
    });
  },
});

/** The user's GitHub token as the web app stored it (encrypted), or null. Worker only. */
export const getGitHubToken = query({
  args: { githubId: v.string(), workerSecret: v.optional(v.string()) },
  returns: v.union(v.string(), v.null()),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const user = await userByGithubId(ctx.db, args.githubId);
    return user?.githubAccessToken ?? null;
  },
});
