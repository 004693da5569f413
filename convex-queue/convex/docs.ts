import { v } from "convex/values";
import type { Id } from "./_generated/dataModel";
import { internal } from "./_generated/api";
import { internalMutation, mutation, query } from "./_generated/server";
import { allowPublic, requireWorker } from "./lib/auth";
import { fail } from "./lib/errors";
import { isOfCompletedRun, latestCompletedJob, scheduleOldGenerationCleanup } from "./lib/jobs";
import { requireDocumentFits } from "./lib/model";
import { cleanupValidator, docValidator } from "./lib/returns";
import { documentFile } from "./schema";

/*
 * Documents. `upsertFromJob` keeps the existing module's argument shape (the legacy worker path)
 * but needs the worker secret; the hardened worker uses `queue:saveDocuments`, which is fenced by
 * the lease. The readers are web-facing.
 */

/** Normalises generated Markdown the way the existing upsert did. */
export function normalizeMarkdown(content: string): string {
  let text = content.replace(/\r\n?/g, "\n");
  if (((text.match(/```/g) ?? []).length & 1) === 1) text += "\n```\n";
  if (!text.endsWith("\n")) text += "\n";
  text = text.replace(/\n(#{1,6}\s)/g, "\n\n$1");
  return text.replace(/\n{3,}/g, "\n\n");
}

function sourceKey(repositoryId: string, slug: string, title: string): string {
  return `${repositoryId}:${slug.replace(/^(chapters|reviewed-chapters)\//, "")}:${title}`;
}

export const upsertFromJob = mutation({
  args: {
    jobId: v.id("jobs"),
    repositoryId: v.id("repositories"),
    runId: v.optional(v.string()),
    files: v.array(documentFile),
    summary: v.object({
      chaptersCount: v.number(),
      tutorialsCount: v.number(),
      generatedAt: v.number(),
    }),
    workerSecret: v.optional(v.string()),
  },
  returns: v.object({
    docsCount: v.number(),
    docIds: v.array(v.id("docs")),
    stats: v.object({
      inserted: v.number(),
      updated: v.number(),
      skipped: v.number(),
      rejected: v.number(),
      deleted: v.number(),
    }),
  }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const job = await ctx.db.get("jobs", args.jobId);
    if (job === null) throw fail("NOT_FOUND", `job ${args.jobId} does not exist`);
    for (const file of args.files) requireDocumentFits(file.slug, file.content);
    const now = Date.now();
    const stats = { inserted: 0, updated: 0, skipped: 0, rejected: 0, deleted: 0 };
    const existing = await ctx.db
      .query("docs")
      .withIndex("by_job", (q) => q.eq("jobId", args.jobId))
      .collect();
    const byKey = new Map(existing.map((doc) => [sourceKey(args.repositoryId, doc.slug, doc.title), doc]));
    const orphans = new Set(existing.map((doc) => doc._id));
    const seen = new Set<string>();
    const docIds: Id<"docs">[] = [];
    for (const file of args.files) {
      if ((file.kind === "chapter" || file.kind === "tutorial") && file.content.trim().length === 0) {
        stats.rejected++;
        continue;
      }
      const key = sourceKey(args.repositoryId, file.slug, file.title);
      if (seen.has(key)) {
        stats.skipped++;
        continue;
      }
      seen.add(key);
      const content = file.kind === "yaml" ? file.content : normalizeMarkdown(file.content);
      const chapterIndex = file.chapterIndex ?? 0;
      const old = byKey.get(key);
      if (old !== undefined) {
        orphans.delete(old._id);
        if (old.content !== content || old.chapterIndex !== chapterIndex) {
          await ctx.db.patch("docs", old._id, { content, chapterIndex, slug: file.slug, updatedAt: now, runId: args.runId });
          stats.updated++;
        } else {
          stats.skipped++;
        }
        docIds.push(old._id);
      } else {
        docIds.push(
          await ctx.db.insert("docs", {
            jobId: args.jobId,
            repositoryId: args.repositoryId,
            slug: file.slug,
            title: file.title,
            chapterIndex,
            kind: file.kind,
            content,
            sourceKey: key,
            runId: args.runId,
            createdAt: now,
          }),
        );
        stats.inserted++;
      }
    }
    for (const id of orphans) {
      await ctx.db.delete("docs", id);
      stats.deleted++;
    }
    await ctx.db.patch("jobs", args.jobId, {
      docsCount: docIds.length,
      completedAt: args.summary.generatedAt,
      runId: args.runId,
      regenerationStats: stats,
      updatedAt: now,
    });
    if (stats.inserted > 0 || stats.updated > 0) {
      await scheduleOldGenerationCleanup(ctx, args.repositoryId, args.jobId);
    }
    return { docsCount: docIds.length, docIds, stats };
  },
});

export const listByJobId = query({
  args: { jobId: v.id("jobs") },
  returns: v.array(docValidator),
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    const job = await ctx.db.get("jobs", args.jobId);
    if (job === null) return [];
    const docs = await ctx.db
      .query("docs")
      .withIndex("by_job", (q) => q.eq("jobId", args.jobId))
      .collect();
    return docs.filter((doc) => isOfCompletedRun(job, doc));
  },
});

export const getBySlug = query({
  args: { jobId: v.id("jobs"), slug: v.string() },
  returns: v.union(docValidator, v.null()),
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    const job = await ctx.db.get("jobs", args.jobId);
    const doc = await ctx.db
      .query("docs")
      .withIndex("by_job_slug", (q) => q.eq("jobId", args.jobId).eq("slug", args.slug))
      .first();
    return job === null || doc === null || !isOfCompletedRun(job, doc) ? null : doc;
  },
});

/** The documents of the repository's latest completed job. */
export const listByRepository = query({
  args: { repositoryId: v.id("repositories") },
  returns: v.array(docValidator),
  handler: async (ctx, args) => {
    allowPublic("web app: reads without secrets");
    const latest = await latestCompletedJob(ctx.db, args.repositoryId);
    if (latest === null) return [];
    const docs = await ctx.db
      .query("docs")
      .withIndex("by_job", (q) => q.eq("jobId", latest._id))
      .collect();
    return docs.filter((doc) => isOfCompletedRun(latest, doc));
  },
});

/** Documents deleted per run; each is at most ~1 MiB and a transaction reads at most 16 MiB. */
const CLEANUP_BATCH = 12;

/**
 * Deletes the documents of the repository's older completed jobs (the web app shows the latest
 * generation only), a few per run, rescheduling itself until none remain.
 */
export const cleanupOldGenerations = internalMutation({
  args: { repositoryId: v.id("repositories"), keepLatestJobId: v.id("jobs") },
  returns: cleanupValidator,
  handler: async (ctx, args) => {
    const keep = await ctx.db.get("jobs", args.keepLatestJobId);
    if (keep === null) return { deletedDocsCount: 0, more: false };
    const older = await ctx.db
      .query("jobs")
      .withIndex("by_repository_status", (q) =>
        q.eq("repositoryId", args.repositoryId).eq("status", "completed").lt("_creationTime", keep._creationTime),
      )
      .take(1_000);
    let deleted = 0;
    for (const job of older) {
      const docs = await ctx.db
        .query("docs")
        .withIndex("by_job", (q) => q.eq("jobId", job._id))
        .take(CLEANUP_BATCH - deleted);
      for (const doc of docs) {
        await ctx.db.delete("docs", doc._id);
        deleted++;
      }
      if (deleted >= CLEANUP_BATCH) break;
    }
    const more = deleted >= CLEANUP_BATCH;
    if (more) await scheduleOldGenerationCleanup(ctx, args.repositoryId, args.keepLatestJobId);
    return { deletedDocsCount: deleted, more };
  },
});

/**
 * Deletes the documents of a completed job that another run of it staged (an attempt that saved documents and
 * then crashed before completing), a few per run, rescheduling itself until none remain. Readers already hide
 * them (`isOfCompletedRun`).
 */
export const cleanupOtherRuns = internalMutation({
  args: { jobId: v.id("jobs"), keepRunId: v.string() },
  returns: cleanupValidator,
  handler: async (ctx, args) => {
    let deleted = 0;
    let more = false;
    for await (const doc of ctx.db.query("docs").withIndex("by_job", (q) => q.eq("jobId", args.jobId))) {
      if (doc.runId === args.keepRunId) continue;
      if (deleted >= CLEANUP_BATCH) {
        more = true;
        break;
      }
      await ctx.db.delete("docs", doc._id);
      deleted++;
    }
    if (more) await ctx.scheduler.runAfter(0, internal.docs.cleanupOtherRuns, args);
    return { deletedDocsCount: deleted, more };
  },
});
