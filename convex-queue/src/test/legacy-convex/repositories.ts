// Legacy fixture: the worker's repository reader.
import { v } from "convex/values";
import { query } from "./_generated/server";

export const getByRepositoryId = query({
  args: { repositoryId: v.id("repositories") },
  handler: async (ctx, args) => await ctx.db.get(args.repositoryId),
});
