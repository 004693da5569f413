import type { Doc, Id } from "../_generated/dataModel";
import type { DatabaseReader, MutationCtx } from "../_generated/server";
import { internal } from "../_generated/api";
import { constantTimeEquals } from "./auth";
import { endCheckpoint } from "./checkpoints";
import { fail } from "./errors";
import { isLeased, isTerminal } from "./model";

/** The job with this id, or null when the id is malformed, of another table, or deleted. */
export async function findJob(db: DatabaseReader, jobId: string): Promise<Doc<"jobs"> | null> {
  const id = db.normalizeId("jobs", jobId);
  return id === null ? null : await db.get("jobs", id);
}

/**
 * The repository, refused unless `userId` owns it. A job's owner matters: the worker clones the job's
 * repository with its owner's GitHub token, so a job naming one user and another user's repository row
 * would let anyone have a private repository cloned with someone else's token.
 *
 * @throws ConvexError NOT_FOUND (no such repository), FORBIDDEN (another user's)
 */
export async function requireRepositoryOwnedBy(
  db: DatabaseReader,
  repositoryId: Id<"repositories">,
  userId: Id<"users">,
): Promise<Doc<"repositories">> {
  const repository = await db.get("repositories", repositoryId);
  if (repository === null) throw fail("NOT_FOUND", "Repository not found");
  if (repository.userId !== userId) {
    throw fail("FORBIDDEN", "Unauthorized - this repository belongs to another user");
  }
  return repository;
}

/**
 * The job, refused unless `callbackToken` is its callback token (compared in constant time).
 *
 * @throws ConvexError NOT_FOUND, UNAUTHORIZED
 */
export async function requireCallbackToken(
  db: DatabaseReader,
  jobId: Id<"jobs">,
  callbackToken: string,
): Promise<Doc<"jobs">> {
  const job = await db.get("jobs", jobId);
  if (job === null) throw fail("NOT_FOUND", "Job not found");
  if (!constantTimeEquals(job.callbackToken, callbackToken)) throw fail("UNAUTHORIZED", "Invalid callback token");
  return job;
}

/** The repository's newest completed job (the generation the web app shows), or null. */
export async function latestCompletedJob(
  db: DatabaseReader,
  repositoryId: Id<"repositories">,
): Promise<Doc<"jobs"> | null> {
  return await db
    .query("jobs")
    .withIndex("by_repository_status", (q) => q.eq("repositoryId", repositoryId).eq("status", "completed"))
    .order("desc")
    .first();
}

/**
 * Whether `workerId` (with `leaseToken`, when given) holds the job's lock. The token is the fence:
 * after a lease expired and the job was claimed again, the old holder's token no longer matches,
 * even when the same worker id claimed it again. Calls without a token (argument shape of the
 * existing module) fall back to the worker id alone.
 */
export function holdsLock(job: Doc<"jobs">, workerId: string, leaseToken: string | undefined): boolean {
  if (job.lockedBy === undefined || job.lockedBy !== workerId) return false;
  return leaseToken === undefined || job.leaseToken === leaseToken;
}

/**
 * Whether a document belongs to the run that completed its job: a job completed with a `runId` shows only the
 * documents staged under it (another attempt's, staged before it crashed, are dropped in the background).
 */
export function isOfCompletedRun(job: Doc<"jobs">, doc: Doc<"docs">): boolean {
  return job.runId === undefined || doc.runId === undefined || doc.runId === job.runId;
}

/** Whether cancellation of the job was requested (web app or queue:cancel). */
export function isCancelRequested(job: Doc<"jobs">): boolean {
  return job.cancelRequested === true || job.status === "canceled";
}

/** The lock fields cleared whenever a job stops being held. */
export const CLEARED_LOCK = {
  lockedBy: undefined,
  leaseUntil: undefined,
  leaseToken: undefined,
  claimToken: undefined,
} as const;

/**
 * Requests cancellation, with the semantics of the web app's `jobs:requestCancel`:
 * a pending job is canceled at once; a leased job is marked `canceled` with `cancelRequested`,
 * keeping its lock so that the holder learns it from its next heartbeat and stops (it then gives
 * the lock back with `release`); a terminal job is left alone. An earlier attempt's `lastError`
 * is cleared: `error` says why the job ended.
 *
 * @returns whether the job was canceled by this call
 */
export async function requestCancellation(ctx: MutationCtx, job: Doc<"jobs">, reason: string): Promise<boolean> {
  if (isTerminal(job.status)) return false;
  const now = Date.now();
  const common = {
    status: "canceled" as const,
    cancelRequested: true,
    error: reason,
    // An earlier attempt's failure is not the canceled job's own.
    lastError: undefined,
    completedAt: now,
    updatedAt: now,
  };
  await ctx.db.patch("jobs", job._id, isLeased(job.status) ? common : { ...common, ...CLEARED_LOCK });
  // A canceled job never runs again: its checkpoint goes now (its holder's writes are refused from here on).
  await endCheckpoint(ctx, job._id);
  return true;
}

/** Deletes, in the background, documents of older completed jobs of the same repository. */
export async function scheduleOldGenerationCleanup(
  ctx: MutationCtx,
  repositoryId: Id<"repositories"> | undefined,
  keepJobId: Id<"jobs">,
): Promise<void> {
  if (repositoryId === undefined) return;
  // Why scheduled: the old documents may weigh more than one transaction may read, and a failed
  // cleanup must never fail the completion that triggered it.
  await ctx.scheduler.runAfter(0, internal.docs.cleanupOldGenerations, { repositoryId, keepLatestJobId: keepJobId });
}
