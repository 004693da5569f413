import type { Doc, Id } from "../_generated/dataModel";
import type { DatabaseReader, MutationCtx } from "../_generated/server";
import { internal } from "../_generated/api";

/*
 * What the queue's ending mutations need of the checkpoints (convex/checkpoints.ts): a job that ends loses its
 * checkpoint at once. The row that says what the checkpoint holds is deleted in the ending transaction, so no reader
 * sees it again; its files (up to 1000 documents of up to 900 KiB) are deleted by a scheduled mutation, in batches
 * small enough for a transaction's read limit. Convex runs a scheduled mutation exactly once.
 */

/** The job's checkpoint row, or null. */
export async function checkpointOf(db: DatabaseReader, jobId: Id<"jobs">): Promise<Doc<"checkpoints"> | null> {
  return await db
    .query("checkpoints")
    .withIndex("by_job", (q) => q.eq("jobId", jobId))
    .first();
}

/** Deletes a checkpoint row now and schedules the deletion of its files. */
export async function retireCheckpoint(ctx: MutationCtx, checkpoint: Doc<"checkpoints">): Promise<void> {
  await ctx.db.delete("checkpoints", checkpoint._id);
  if (checkpoint.paths.length > 0) {
    await ctx.scheduler.runAfter(0, internal.checkpoints.deleteFiles, { checkpointId: checkpoint._id });
  }
}

/** Deletes the job's checkpoint, if it has one: called by every mutation that ends a job. */
export async function endCheckpoint(ctx: MutationCtx, jobId: Id<"jobs">): Promise<void> {
  const checkpoint = await checkpointOf(ctx.db, jobId);
  if (checkpoint !== null) await retireCheckpoint(ctx, checkpoint);
}
