// Legacy fixture: the existing `docs` functions, to the letter of "Exact behaviour of the existing
// functions" in fondation-system.md §1. `upsertFromJob` patches the job and deletes the repository's other
// generations; `listByRepository` is the course the web app shows (the latest completed job's documents).
//
// Where the reference is SILENT: Markdown normalisation (not done here); whether an update by source key also
// changes a document's `runId` (here: no, only content, index, slug and `updatedAt`); whether `stats.deleted`
// counts what the cleanup deleted (here: no, it stays 0); `docs:listByJobId` itself, which the reference does not
// list (the worker reads a job's documents with it: `{jobId}` → the job's `docs` rows, as the hardened module and
// the web app name it).
import { v } from "convex/values";
import type { Id } from "./_generated/dataModel";
import { internalMutation, mutation, query, type MutationCtx } from "./_generated/server";

/**
 * Deletes every document of every other `completed` job of the repository: what the existing
 * upsert runs after each call, whatever the state of the job it was called for.
 *
 * @returns how many documents were deleted
 */
async function deleteOtherGenerations(ctx: MutationCtx, repositoryId: Id<"repositories">, keepJobId: Id<"jobs">): Promise<number> {
  const jobs = await ctx.db
    .query("jobs")
    .withIndex("by_repository", (q) => q.eq("repositoryId", repositoryId))
    .collect();
  let deleted = 0;
  for (const job of jobs) {
    if (job._id === keepJobId || job.status !== "completed") continue;
    const docs = await ctx.db
      .query("docs")
      .withIndex("by_job", (q) => q.eq("jobId", job._id))
      .collect();
    for (const doc of docs) {
      await ctx.db.delete(doc._id);
      deleted++;
    }
  }
  return deleted;
}

export const cleanupOldGenerations = internalMutation({
  args: { repositoryId: v.id("repositories"), keepJobId: v.id("jobs") },
  handler: async (ctx, args) => ({ deleted: await deleteOtherGenerations(ctx, args.repositoryId, args.keepJobId) }),
});

/**
 * Meant for a finished run: upserts the files by source key (empty chapters and tutorials are
 * rejected), patches the JOB (`docsCount`, `completedAt = summary.generatedAt`, `runId`,
 * `regenerationStats`), then runs the cleanup of the repository's other completed jobs.
 */
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
    const docIds: Id<"docs">[] = [];
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
    await deleteOtherGenerations(ctx, args.repositoryId, args.jobId);
    return { docsCount: docIds.length, docIds, stats };
  },
});

/**
 * The documents of the repository's latest `completed` job (by creation order), or `[]`: what the web app shows as
 * the course. A newer job that is not completed yet does not count, whatever documents it has.
 */
export const listByRepository = query({
  args: { repositoryId: v.id("repositories") },
  handler: async (ctx, args) => {
    const latest = (
      await ctx.db
        .query("jobs")
        .withIndex("by_repository", (q) => q.eq("repositoryId", args.repositoryId))
        .order("desc")
        .collect()
    ).find((job) => job.status === "completed");
    if (latest === undefined) return [];
    return await ctx.db
      .query("docs")
      .withIndex("by_job", (q) => q.eq("jobId", latest._id))
      .collect();
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
