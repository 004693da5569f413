import type { Doc } from "../_generated/dataModel";
import type { DatabaseReader } from "../_generated/server";
import { fail } from "./errors";
import { ReadCounter, liveLeases } from "./fairness";
import { isLeased } from "./model";
import { blockedUntil } from "./pauses";

/*
 * The queue's depth, as an autoscaler needs it (issue 21): what a claim could take now, what is being worked on, and
 * whether LLM credentials are paused. Counted the way claims see the queue (lib/fairness.ts, lib/pauses.ts), through
 * index ranges that stop early: the cost depends on the counts, up to the limit, never on the table's size.
 *
 *  - pending: jobs in `pending`, whenever they are due.
 *  - due: jobs a claim could take at `now`: pending jobs whose `runAt` has come (or that have none), plus leased
 *    jobs whose lease expired (a claim takes those over). With FONDATION_MAX_RUNNING_PER_USER set, a user's due
 *    jobs count only up to the room its live leases leave under the cap, as claims skip users at the cap.
 *  - running: jobs held under a live lease (`leaseUntil` after `now`): the leased statuses, and canceled jobs whose
 *    holder is still stopping them. Each takes a worker slot.
 *  - paused: LLM credentials whose claims are held back at `now` (a pause in force, or the single probe claim
 *    out): not jobs. A worker claiming with such a credential gets nothing until `resumesAt`.
 *  - wanted: due + running, the job slots the fleet should have: workers wanted = ceil(wanted / slots per worker).
 *
 * Counts stop at `limit` (default 100, at most 1,000): an autoscaler only needs to know "at least N", N being its
 * largest fleet in job slots, and every document counted is a document read.
 */

/** Counts stop here unless the caller asks for another limit. */
export const DEFAULT_DEPTH_LIMIT = 100;
/** The largest limit accepted: 1,000 documents per range keeps a call far below Convex's 32,000 per transaction. */
export const MAX_DEPTH_LIMIT = 1_000;
/** Pauses looked at: the 100 that end latest (one per LLM credential; a fleet has a handful). */
export const DEPTH_PAUSES_READ = 100;
/**
 * Past this many documents read while walking the users' turns (only with a per-user cap), the walk stops and `due`
 * falls back to the due jobs whatever the cap: an over-count (more workers than claimable jobs), never an under-count.
 */
export const DEPTH_LANE_BUDGET = 1_500;

export type DepthCount = "pending" | "due" | "running" | "paused";

export interface QueueDepth {
  pending: number;
  due: number;
  running: number;
  paused: number;
  /** due + running: the job slots wanted. */
  wanted: number;
  /** Where the counts stop. */
  limit: number;
  /** The counts that reached `limit` (they mean "at least"). */
  capped: DepthCount[];
  /** The time the counts are for (ms epoch). */
  now: number;
}

/** The `limit` of a depth request, validated (undefined: the default). */
export function requireDepthLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_DEPTH_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DEPTH_LIMIT) {
    throw fail("INVALID_ARGUMENT", `limit must be an integer from 1 to ${MAX_DEPTH_LIMIT}, was ${limit}`);
  }
  return limit;
}

export function requireDepthNow(now: number): number {
  if (!Number.isFinite(now) || now < 0) {
    throw fail("INVALID_ARGUMENT", `now must be a non-negative number of epoch milliseconds, was ${now}`);
  }
  return now;
}

/**
 * Counts the queue's depth at `now`, each count up to `limit`; `capPerUser` is FONDATION_MAX_RUNNING_PER_USER (0: no
 * cap). Reads (documents): pending ≤ limit + 1, live leases ≤ limit + 1, expired leases ≤ limit + 1, pauses ≤ 100;
 * with a cap, the waiting lanes' walk ≤ DEPTH_LANE_BUDGET more.
 */
export async function countDepth(db: DatabaseReader, now: number, limit: number, capPerUser: number): Promise<QueueDepth> {
  const capped: DepthCount[] = [];
  const count = (name: DepthCount, value: number) => {
    if (value > limit) capped.push(name);
    return Math.min(value, limit);
  };

  // by_status_runAt sorts pending jobs without runAt first, then by runAt: the due ones are a prefix.
  const pendingRows = await db
    .query("jobs")
    .withIndex("by_status_runAt", (q) => q.eq("status", "pending"))
    .take(limit + 1);
  const dueRows = pendingRows.filter((job) => job.runAt === undefined || job.runAt <= now);

  const liveRows = await db
    .query("jobs")
    .withIndex("by_leaseUntil", (q) => q.gt("leaseUntil", now))
    .take(limit + 1);
  const held = liveRows.filter(isHeld);

  // The cron puts these back within a minute; until then a claim takes them over (claimOne's reclaimForClaim).
  const expiredRows = await db
    .query("jobs")
    .withIndex("by_leaseUntil", (q) => q.gte("leaseUntil", 0).lt("leaseUntil", now))
    .take(limit + 1);
  const reclaimable = expiredRows.filter((job) => isLeased(job.status)).length;

  const due =
    capPerUser === 0
      ? dueRows.length + reclaimable
      : await dueUnderCap(db, now, limit, capPerUser, dueRows, reclaimable, held.length);

  const pauses = await db.query("llmPauses").withIndex("by_until").order("desc").take(DEPTH_PAUSES_READ);
  const paused = pauses.filter((pause) => blockedUntil(pause, now) !== null).length;

  const counts = {
    pending: count("pending", pendingRows.length),
    due: count("due", due),
    // Counted among the first limit + 1 live leases; beyond them, at least `limit`.
    running: liveRows.length > limit ? count("running", liveRows.length) : held.length,
    paused: count("paused", paused),
  };
  return { ...counts, wanted: counts.due + counts.running, limit, capped, now };
}

/** A live lease whose holder is working on the job: a leased status, or a canceled job its holder is stopping. */
function isHeld(job: Doc<"jobs">): boolean {
  return isLeased(job.status) || (job.status === "canceled" && job.lockedBy !== undefined);
}

/**
 * The due jobs claims would hand out under a per-user cap of `cap` live leases: the waiting lanes in turn order
 * (lib/fairness.ts), each user's due jobs up to the room its live leases leave, until more than `limit` are counted.
 * Added: expired leases (reclaimable; their users' room is not checked, an over-count the cron ends within a minute)
 * and due rows no lane knows yet (no `userKey`: adopted within a minute). When nothing is counted although jobs are
 * due and nothing runs, 1: a lane that another writer left saying "nothing due" is repaired by the next claim, and
 * at zero workers there would be none. Past DEPTH_LANE_BUDGET documents, the count whatever the cap.
 */
async function dueUnderCap(
  db: DatabaseReader,
  now: number,
  limit: number,
  cap: number,
  dueRows: Doc<"jobs">[],
  reclaimable: number,
  running: number,
): Promise<number> {
  const uncapped = dueRows.length + reclaimable;
  const reads = new ReadCounter(DEPTH_LANE_BUDGET);
  const unknownToLanes = dueRows.filter((job) => job.userKey === undefined).length;
  let counted = reclaimable + unknownToLanes;
  // why async iteration: lanes are read page by page, only as far as needed.
  for await (const lane of db.query("queueLanes").withIndex("by_turn", (q) => q.eq("waiting", true))) {
    if (counted > limit) break;
    reads.read(1);
    if (reads.exhausted) return uncapped;
    if (lane.nextDueAt !== undefined && lane.nextDueAt > now) continue;
    const room = cap - (await liveLeases(db, lane.userKey, now, cap, reads));
    if (room <= 0) continue;
    const jobs = await db
      .query("jobs")
      .withIndex("by_status_user_runAt", (q) => q.eq("status", "pending").eq("userKey", lane.userKey).lte("runAt", now))
      .take(Math.min(room, limit + 1 - counted));
    reads.read(jobs.length);
    counted += jobs.length;
  }
  if (counted === 0 && dueRows.length > 0 && running === 0) return 1;
  return counted;
}
