import { v } from "convex/values";
import type { Doc, Id } from "./_generated/dataModel";
import { internal } from "./_generated/api";
import { internalMutation, mutation, query, type MutationCtx, type QueryCtx } from "./_generated/server";
import { requireWorker } from "./lib/auth";
import { checkpointOf, retireCheckpoint } from "./lib/checkpoints";
import { fail } from "./lib/errors";
import { findJob, holdsLock, isCancelRequested } from "./lib/jobs";
import { MAX_DOCUMENT_CONTENT_BYTES, isLeased, isTerminal, utf8Length } from "./lib/model";
import { checkpointBasis } from "./schema";

/*
 * Checkpoints: the output files an attempt of a job completed, kept so that the next attempt runs only the steps
 * left (issue 23). Tables `checkpoints` (one row per job) and `checkpointFiles` (one document per file); never part
 * of the course (`docs`), never read by the web app, every function behind the worker secret.
 *
 * Fencing (the JobQueue SPI's rules, proven for every backend by its contract suite):
 *  - "lease": only the holder, as a heartbeat is accepted: the job's lock and lease token are the caller's, the job
 *    is worked on (a leased status) and cancellation was not requested;
 *  - "lease_or_waiting": the holder, or, once its lease is gone, the former holder while the job is `pending` and no
 *    other lease has opened or written the checkpoint since (`holderToken` is still its token): the output of an
 *    analysis that finished while the deployment was unreachable is saved as soon as it answers again, never over
 *    another holder's checkpoint.
 * `open` and every write accepted as the holder make the caller's lease the checkpoint's `holderToken`.
 *
 * Lifecycle: the queue's ending mutations (complete, a failed or dead retryOrFail, an expired last lease, a
 * cancellation) delete the job's checkpoint (lib/checkpoints.ts); `expireOrphans`, scheduled by crons.ts, deletes
 * those not opened or written for 7 days and those whose job ended otherwise or is gone.
 */

/** The most files one checkpoint holds (the JobQueue SPI's Checkpoint.MAX_FILES). */
export const MAX_CHECKPOINT_FILES = 1_000;
/** A checkpoint not opened or written for this long is an orphan (the SPI's Checkpoint.ORPHAN_AFTER). */
export const CHECKPOINT_ORPHAN_AFTER_MS = 7 * 24 * 3_600_000;
/** Content returned by one `files` call, at most (plus the one file that crosses it). */
const FILES_PAGE_BYTES = 4 * 1024 * 1024;
/**
 * Files deleted by one call (`remove`, `deleteFiles`): reading a file document reads its content, and a transaction
 * reads at most 16 MiB, so at most 8 of 900 KiB.
 */
export const MAX_FILES_PER_DELETE = 8;
/** Checkpoint rows looked at by one `expireOrphans` run before it schedules the next page. */
const EXPIRE_PAGE = 20;

const workerSecret = v.optional(v.string());
const fence = v.union(v.literal("lease"), v.literal("lease_or_waiting"));
const lease = { jobId: v.string(), workerId: v.string(), leaseToken: v.string() };
const PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const KIND = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const PRINTABLE = /^[\x20-\x7e]{1,128}$/;
const FINGERPRINT = /^sha256:[0-9a-f]{64}$/;

type Basis = Doc<"checkpoints">["basis"] & object;
type Access = "holder" | "waiting" | "refused";

/** What a checkpoint holds, without its files: `open`, `read`. */
const manifestValidator = v.object({
  checkpointId: v.id("checkpoints"),
  basis: checkpointBasis,
  finished: v.boolean(),
  paths: v.array(v.string()),
  bytes: v.number(),
  updatedAt: v.number(),
});

function manifest(checkpoint: Doc<"checkpoints"> | null) {
  if (checkpoint === null || checkpoint.basis === undefined || checkpoint.paths.length === 0) return null;
  return {
    checkpointId: checkpoint._id,
    basis: checkpoint.basis,
    finished: checkpoint.finished,
    paths: checkpoint.paths,
    bytes: checkpoint.bytes,
    updatedAt: checkpoint.updatedAt,
  };
}

/** Whether `fence` lets the lease write the job's checkpoint now, and as whom. */
function accessOf(
  job: Doc<"jobs">,
  checkpoint: Doc<"checkpoints"> | null,
  args: { workerId: string; leaseToken: string },
  wanted: "lease" | "lease_or_waiting",
): Access {
  if (holdsLock(job, args.workerId, args.leaseToken) && isLeased(job.status) && !isCancelRequested(job)) {
    return "holder";
  }
  if (
    wanted === "lease_or_waiting" &&
    job.status === "pending" &&
    !isCancelRequested(job) &&
    checkpoint !== null &&
    checkpoint.holderToken === args.leaseToken
  ) {
    return "waiting";
  }
  return "refused";
}

async function jobAndCheckpoint(ctx: QueryCtx, jobId: string) {
  const job = await findJob(ctx.db, jobId);
  return { job, checkpoint: job === null ? null : await checkpointOf(ctx.db, job._id) };
}

function requirePath(path: string): void {
  if (path.length > 255 || !PATH.test(path) || path.split("/").some((part) => part === "." || part === "..")) {
    throw fail(
      "INVALID_ARGUMENT",
      `checkpoint file path '${path.slice(0, 300)}' must be relative, '/'-separated, of letters, digits and . _ - only, at most 255 characters`,
    );
  }
}

function requireBasis(basis: Basis): void {
  const problems = [
    COMMIT.test(basis.commit) ? null : "commit must be a full commit id (40 or 64 lower-case hex digits)",
    KIND.test(basis.analyzerKind) ? null : "analyzerKind must be 1 to 64 lower-case letters, digits, . _ -",
    PRINTABLE.test(basis.analyzerVersion) ? null : "analyzerVersion must be 1 to 128 printable ASCII characters",
    basis.model.length <= 128 && !/[\x00-\x1f\x7f]/.test(basis.model) ? null : "model must be at most 128 characters",
    FINGERPRINT.test(basis.promptFingerprint) ? null : "promptFingerprint must be 'sha256:' and 64 hex digits",
  ].filter((problem) => problem !== null);
  if (problems.length > 0) throw fail("INVALID_ARGUMENT", `checkpoint basis: ${problems.join("; ")}`);
}

function sameBasis(a: Basis | undefined, b: Basis): boolean {
  return (
    a !== undefined &&
    a.commit === b.commit &&
    a.analyzerKind === b.analyzerKind &&
    a.analyzerVersion === b.analyzerVersion &&
    a.model === b.model &&
    a.promptFingerprint === b.promptFingerprint
  );
}

async function fileAt(ctx: QueryCtx, checkpointId: Id<"checkpoints">, path: string) {
  return await ctx.db
    .query("checkpointFiles")
    .withIndex("by_checkpoint_path", (q) => q.eq("checkpointId", checkpointId).eq("path", path))
    .first();
}

/** Makes the lease the checkpoint's holder, creating the (empty) row when the job has none. */
async function becomeHolder(ctx: MutationCtx, job: Doc<"jobs">, checkpoint: Doc<"checkpoints"> | null, token: string) {
  const now = Date.now();
  if (checkpoint === null) {
    const id = await ctx.db.insert("checkpoints", {
      jobId: job._id,
      holderToken: token,
      finished: false,
      paths: [],
      bytes: 0,
      updatedAt: now,
    });
    return (await ctx.db.get("checkpoints", id))!;
  }
  await ctx.db.patch("checkpoints", checkpoint._id, { holderToken: token, updatedAt: now });
  return (await ctx.db.get("checkpoints", checkpoint._id))!;
}

/**
 * Opens the job's checkpoint for the attempt holding the lease, at its start: the lease becomes its holder (an
 * earlier holder's `lease_or_waiting` writes are refused from now on), and what it holds is returned; `null` when it
 * holds no file or the lease does not hold the job.
 */
export const open = mutation({
  args: { ...lease, workerSecret },
  returns: v.union(manifestValidator, v.null()),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const { job, checkpoint } = await jobAndCheckpoint(ctx, args.jobId);
    if (job === null || accessOf(job, checkpoint, args, "lease") !== "holder") return null;
    return manifest(await becomeHolder(ctx, job, checkpoint, args.leaseToken));
  },
});

/** What the job's checkpoint holds (without the files), or `null`; changes nothing. */
export const read = query({
  args: { jobId: v.string(), workerSecret },
  returns: v.union(manifestValidator, v.null()),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const { checkpoint } = await jobAndCheckpoint(ctx, args.jobId);
    return manifest(checkpoint);
  },
});

/**
 * The files of checkpoint `checkpointId`, in path order after `after`, about 4 MiB of content per call; `next` is
 * the `after` of the next call, or `null` at the end. `current: false` when that checkpoint is no longer the job's
 * (it was replaced or deleted meanwhile): the reader starts again from `read` or `open`.
 */
export const files = query({
  args: { jobId: v.string(), checkpointId: v.string(), after: v.optional(v.string()), workerSecret },
  returns: v.object({
    current: v.boolean(),
    files: v.array(v.object({ path: v.string(), content: v.string() })),
    next: v.union(v.string(), v.null()),
  }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const { checkpoint } = await jobAndCheckpoint(ctx, args.jobId);
    if (checkpoint === null || checkpoint._id !== args.checkpointId) {
      return { current: false, files: [], next: null };
    }
    const after = args.after;
    const range = ctx.db
      .query("checkpointFiles")
      .withIndex("by_checkpoint_path", (q) =>
        after === undefined ? q.eq("checkpointId", checkpoint._id) : q.eq("checkpointId", checkpoint._id).gt("path", after),
      );
    const page: { path: string; content: string }[] = [];
    let bytes = 0;
    for await (const file of range) {
      if (page.length > 0 && bytes + file.bytes > FILES_PAGE_BYTES) {
        return { current: true, files: page, next: page[page.length - 1].path };
      }
      page.push({ path: file.path, content: file.content });
      bytes += file.bytes;
    }
    return { current: true, files: page, next: null };
  },
});

/**
 * Saves one file into the job's checkpoint (replacing the file at that path) if `fence` lets the lease write. A
 * `basis` other than the checkpoint's starts a new checkpoint holding this file only (the old files are deleted in
 * the background). The checkpoint is no longer `finished` afterwards. Content ≤ 900 KiB of UTF-8
 * (`DOCUMENT_TOO_LARGE`, naming the path: such a file is not checkpointed and is redone on resume); at most 1000
 * files per checkpoint (`CHECKPOINT_FULL`).
 */
export const save = mutation({
  args: { ...lease, fence, basis: checkpointBasis, path: v.string(), content: v.string(), workerSecret },
  returns: v.object({ outcome: v.union(v.literal("saved"), v.literal("not_held")) }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    requirePath(args.path);
    requireBasis(args.basis);
    const bytes = utf8Length(args.content);
    if (bytes > MAX_DOCUMENT_CONTENT_BYTES) {
      throw fail(
        "DOCUMENT_TOO_LARGE",
        `checkpoint file '${args.path}' has ${bytes} bytes of content; the limit is ${MAX_DOCUMENT_CONTENT_BYTES} bytes ` +
          `(Convex stores at most 1 MiB per document): it is not checkpointed, and a resume redoes it`,
      );
    }
    const { job, checkpoint } = await jobAndCheckpoint(ctx, args.jobId);
    const access = job === null ? "refused" : accessOf(job, checkpoint, args, args.fence);
    if (job === null || access === "refused") return { outcome: "not_held" as const };
    const holderToken = access === "holder" ? args.leaseToken : checkpoint!.holderToken;
    const now = Date.now();

    let current = checkpoint;
    if (current !== null && current.basis !== undefined && !sameBasis(current.basis, args.basis)) {
      // Files made from other inputs never mix: this file starts a new checkpoint.
      await retireCheckpoint(ctx, current);
      current = null;
    }
    if (current === null) {
      const id = await ctx.db.insert("checkpoints", {
        jobId: job._id,
        holderToken,
        basis: args.basis,
        finished: false,
        paths: [],
        bytes: 0,
        updatedAt: now,
      });
      current = (await ctx.db.get("checkpoints", id))!;
    }
    const existing = await fileAt(ctx, current._id, args.path);
    if (existing === null && current.paths.length >= MAX_CHECKPOINT_FILES) {
      throw fail(
        "CHECKPOINT_FULL",
        `checkpoint file '${args.path}' would be file ${MAX_CHECKPOINT_FILES + 1} of the checkpoint of job ${args.jobId}; at most ${MAX_CHECKPOINT_FILES} are kept`,
      );
    }
    if (existing === null) {
      await ctx.db.insert("checkpointFiles", {
        checkpointId: current._id,
        jobId: job._id,
        path: args.path,
        content: args.content,
        bytes,
        savedAt: now,
      });
    } else {
      await ctx.db.patch("checkpointFiles", existing._id, { content: args.content, bytes, savedAt: now });
    }
    const paths = existing === null ? [...current.paths, args.path].sort() : current.paths;
    await ctx.db.patch("checkpoints", current._id, {
      holderToken,
      basis: args.basis,
      finished: false,
      paths,
      bytes: current.bytes - (existing?.bytes ?? 0) + bytes,
      updatedAt: now,
    });
    return { outcome: "saved" as const };
  },
});

/**
 * Removes files from the held job's checkpoint (those a resume dropped); unknown paths are ignored. At most 8 paths
 * per call (`BATCH_TOO_LARGE`): deleting a file reads it. Fenced as "lease".
 */
export const remove = mutation({
  args: { ...lease, paths: v.array(v.string()), workerSecret },
  returns: v.object({ outcome: v.union(v.literal("saved"), v.literal("not_held")) }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    if (args.paths.length > MAX_FILES_PER_DELETE) {
      throw fail("BATCH_TOO_LARGE", `remove at most ${MAX_FILES_PER_DELETE} paths per call, got ${args.paths.length}`);
    }
    args.paths.forEach(requirePath);
    const { job, checkpoint } = await jobAndCheckpoint(ctx, args.jobId);
    if (job === null || accessOf(job, checkpoint, args, "lease") !== "holder") return { outcome: "not_held" as const };
    const current = await becomeHolder(ctx, job, checkpoint, args.leaseToken);
    let freed = 0;
    const removed = new Set<string>();
    for (const path of new Set(args.paths)) {
      const file = await fileAt(ctx, current._id, path);
      if (file !== null) {
        await ctx.db.delete("checkpointFiles", file._id);
        freed += file.bytes;
        removed.add(path);
      }
    }
    await ctx.db.patch("checkpoints", current._id, {
      finished: false,
      paths: current.paths.filter((path) => !removed.has(path)),
      bytes: current.bytes - freed,
      updatedAt: Date.now(),
    });
    return { outcome: "saved" as const };
  },
});

/**
 * Marks the job's checkpoint finished: an attempt's analyzer ended successfully and `paths` are its whole output,
 * already saved. `incomplete` (nothing changes) unless the checkpoint is of `basis` and holds exactly `paths`.
 */
export const finish = mutation({
  args: { ...lease, fence, basis: checkpointBasis, paths: v.array(v.string()), workerSecret },
  returns: v.object({ outcome: v.union(v.literal("saved"), v.literal("not_held"), v.literal("incomplete")) }),
  handler: async (ctx, args) => {
    requireWorker(args.workerSecret);
    const { job, checkpoint } = await jobAndCheckpoint(ctx, args.jobId);
    const access = job === null ? "refused" : accessOf(job, checkpoint, args, args.fence);
    if (access === "refused") return { outcome: "not_held" as const };
    const wanted = new Set(args.paths);
    if (
      checkpoint === null ||
      !sameBasis(checkpoint.basis, args.basis) ||
      wanted.size !== checkpoint.paths.length ||
      checkpoint.paths.some((path) => !wanted.has(path))
    ) {
      return { outcome: "incomplete" as const };
    }
    await ctx.db.patch("checkpoints", checkpoint._id, {
      finished: true,
      holderToken: access === "holder" ? args.leaseToken : checkpoint.holderToken,
      updatedAt: Date.now(),
    });
    return { outcome: "saved" as const };
  },
});

/** Deletes the files of a deleted checkpoint row, 8 per run, and schedules itself again while any remain. */
export const deleteFiles = internalMutation({
  args: { checkpointId: v.id("checkpoints") },
  returns: v.object({ deleted: v.number(), more: v.boolean() }),
  handler: async (ctx, args) => {
    const batch = await ctx.db
      .query("checkpointFiles")
      .withIndex("by_checkpoint_path", (q) => q.eq("checkpointId", args.checkpointId))
      .take(MAX_FILES_PER_DELETE);
    for (const file of batch) await ctx.db.delete("checkpointFiles", file._id);
    const more = batch.length === MAX_FILES_PER_DELETE;
    if (more) await ctx.scheduler.runAfter(0, internal.checkpoints.deleteFiles, args);
    return { deleted: batch.length, more };
  },
});

/**
 * Deletes orphaned checkpoints: not opened or written for 7 days, or whose job ended (through a path that did not
 * delete it, e.g. the web app's jobs:updateStatus) or is gone. Looks at every checkpoint row, 20 per run, scheduling
 * itself with the next page. **Scheduled every hour by `crons.ts`.**
 */
export const expireOrphans = internalMutation({
  args: { cursor: v.optional(v.union(v.string(), v.null())) },
  returns: v.object({ expired: v.number(), more: v.boolean() }),
  handler: async (ctx, args) => {
    const now = Date.now();
    const page = await ctx.db
      .query("checkpoints")
      .withIndex("by_updatedAt")
      .paginate({ cursor: args.cursor ?? null, numItems: EXPIRE_PAGE });
    let expired = 0;
    for (const checkpoint of page.page) {
      const job = await ctx.db.get("jobs", checkpoint.jobId);
      if (checkpoint.updatedAt <= now - CHECKPOINT_ORPHAN_AFTER_MS || job === null || isTerminal(job.status)) {
        await retireCheckpoint(ctx, checkpoint);
        expired++;
      }
    }
    const more = !page.isDone;
    if (more) await ctx.scheduler.runAfter(0, internal.checkpoints.expireOrphans, { cursor: page.continueCursor });
    if (expired > 0) console.log(`expireOrphans: ${expired} orphaned checkpoints deleted`);
    return { expired, more };
  },
});
