// Legacy fixture: the existing `docs` functions (simplified: no normalisation; upsert by sourceKey).
import { v } from "convex/values";
import { mutation, query } from "./_generated/server";

export const upsertFromJob = mutation({
  args: {
    jobId: v.id("jobs"),
    repositoryId: v.id("repositories"),
    runId: v.optional(v.string()),
    files: v.array(
      v.object({
        slug: v.string(),
        title: v.string(),
        chapterIndex: v.optional(v.number()),
        content: v.string(),
        kind: v.union(v.literal("chapter"), v.literal("tutorial"), v.literal("toc"), v.literal("yaml")),
      }),
    ),
    summary: v.object({ chaptersCount: v.number(), tutorialsCount: v.number(), generatedAt: v.number() }),
  },
  handler: async (ctx, args) => {
    const stats = { inserted: 0, updated: 0, skipped: 0, rejected: 0, deleted: 0 };
    const existing = await ctx.db
      .query("docs")
      .withIndex("by_job", (q) => q.eq("jobId", args.jobId))
      .collect();
    const docIds = [];
    for (const file of args.files) {
      if ((file.kind === "chapter" || file.kind === "tutorial") && file.content.trim().length === 0) {
        stats.rejected++;
        continue;
      }
      const sourceKey = `${args.repositoryId}:${file.slug.replace(/^(chapters|reviewed-chapters)\//, "")}:${file.title}`;
      const old = existing.find((doc) => doc.sourceKey === sourceKey);
      if (old !== undefined) {
        await ctx.db.patch(old._id, { content: file.content, chapterIndex: file.chapterIndex ?? 0, slug: file.slug, updatedAt: Date.now() });
        stats.updated++;
        docIds.push(old._id);
      } else {
        docIds.push(
          await ctx.db.insert("docs", {
            jobId: args.jobId,
            repositoryId: args.repositoryId,
            slug: file.slug,
            title: file.title,
            chapterIndex: file.chapterIndex ?? 0,
            kind: file.kind,
            content: file.content,
            sourceKey,
            runId: args.runId,
            createdAt: Date.now(),
          }),
        );
        stats.inserted++;
      }
    }
    await ctx.db.patch(args.jobId, {
      docsCount: docIds.length,
      completedAt: args.summary.generatedAt,
      runId: args.runId,
      regenerationStats: stats,
    });
    return { docsCount: docIds.length, docIds, stats };
  },
});

export const listByJobId = query({
  args: { jobId: v.id("jobs") },
  handler: async (ctx, args) =>
    await ctx.db
      .query("docs")
      .withIndex("by_job", (q) => q.eq("jobId", args.jobId))
      .collect(),
});
