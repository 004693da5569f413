import type { Doc } from "../_generated/dataModel";
import type { DatabaseReader, MutationCtx } from "../_generated/server";
import { fail } from "./errors";

/*
 * Fair claims (issue 22). Among users with due work, a claim takes turns: the user whose last claim is oldest
 * first, ties by the oldest waiting job; within a user, the highest priority first, then the earliest runAt.
 * A user that already holds MAX_RUNNING_PER_USER live leases is skipped.
 *
 * Bookkeeping: one `queueLanes` row per user key says whether the user has pending jobs, the earliest runAt
 * among them, and when a job of it was last claimed; `by_turn` orders the waiting lanes. Every function that
 * makes a job pending notes its lane (`noteWaiting`); a claim refreshes the lane it took from. A lane that says
 * "due" wrongly (another writer ended a pending job) is refreshed when a claim visits it; the lane of the earliest
 * due pending job is checked by every claim (`repairEarliestDue`), so a due job whose lane says nothing (another
 * writer made it pending) is known by the time it is the earliest; when the turns give nothing, the claim falls
 * back to that job (`strayDueJob`). Rows inserted by code that sets no `userKey` are adopted by claims and a cron.
 *
 * Cost: every read goes through an index and stops early; a claim counts the documents it reads and stops
 * visiting lanes past CLAIM_READ_BUDGET, so its worst case stays far below Convex's 32,000 documents and
 * 4,096 index ranges per transaction whatever the queue's size (see docs/convex-functions.md).
 */

/** The user key of jobs that name no user: they share one turn. */
export const ANONYMOUS_USER = "anonymous";

/** The deployment environment variable capping each user's live leases (0 or unset: no cap). */
export const MAX_RUNNING_PER_USER_ENV = "FONDATION_MAX_RUNNING_PER_USER";
/** The largest cap accepted: counting a user's leases reads up to this many rows. */
export const MAX_RUNNING_PER_USER_LIMIT = 100;

/**
 * Past this many documents read, a claim visits no further lane (and falls back to the earliest due job). A lane
 * skipped because it is not due costs one document; one skipped at the cap, one plus its live leases, and those
 * leases are distinct jobs: a claim passes every lane ahead of the due one unless the fleet holds over ~1,400
 * live leases of capped users, or ~1,500 users wait for a backoff ahead of it.
 */
export const CLAIM_READ_BUDGET = 1_500;
/** Priority levels of one user looked at before taking its earliest due job whatever its priority. */
export const PRIORITY_LEVELS_PER_LANE = 4;
/** Rows without a user key adopted by one claim (the cron adopts more). */
export const ADOPT_PER_CLAIM = 8;

export const MIN_PRIORITY = -1_000;
export const MAX_PRIORITY = 1_000;

/** Counts what a claim reads, to bound its work. */
export class ReadCounter {
  documents = 0;
  ranges = 0;

  constructor(readonly budget: number) {}

  /** One index range (db.query or db.get) that returned `documents` documents. */
  read(documents: number): void {
    this.ranges += 1;
    this.documents += documents;
  }

  get exhausted(): boolean {
    return this.documents >= this.budget;
  }
}

/** The key whose turn a job waits for. */
export function userKeyOf(job: Doc<"jobs">): string {
  return job.userKey ?? job.userId ?? ANONYMOUS_USER;
}

/** The user key of a job created for `user` (none: the anonymous user), validated. */
export function requireUserKey(user: string | undefined): string {
  if (user === undefined) return ANONYMOUS_USER;
  const key = user.trim();
  if (key.length === 0 || key.length > 200) {
    throw fail("INVALID_ARGUMENT", "user must be 1 to 200 characters, not blank");
  }
  return key;
}

export function requirePriority(priority: number | undefined): number {
  if (priority === undefined) return 0;
  if (!Number.isInteger(priority) || priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
    throw fail("INVALID_ARGUMENT", `priority must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}, was ${priority}`);
  }
  return priority;
}

/**
 * The deployment's cap on live leases per user, from FONDATION_MAX_RUNNING_PER_USER (0, unset or empty: none).
 * A value that is not an integer from 0 to 100 fails the claim with a message naming the variable: a typo must
 * not silently lift (or impose) a limit.
 */
export function maxRunningPerUser(): number {
  const raw = environment()[MAX_RUNNING_PER_USER_ENV];
  if (raw === undefined || raw.trim().length === 0) return 0;
  const value = Number(raw.trim());
  if (!Number.isInteger(value) || value < 0 || value > MAX_RUNNING_PER_USER_LIMIT) {
    throw fail(
      "FAILED_PRECONDITION",
      `${MAX_RUNNING_PER_USER_ENV} must be an integer from 0 (no cap) to ${MAX_RUNNING_PER_USER_LIMIT}, ` +
        `was '${raw}': fix it with npx convex env set ${MAX_RUNNING_PER_USER_ENV} <n>`,
    );
  }
  return value;
}

function environment(): Record<string, string | undefined> {
  return (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
}

async function laneOf(db: DatabaseReader, userKey: string, reads?: ReadCounter): Promise<Doc<"queueLanes"> | null> {
  const lane = await db
    .query("queueLanes")
    .withIndex("by_user", (q) => q.eq("userKey", userKey))
    .unique();
  reads?.read(lane === null ? 0 : 1);
  return lane;
}

/** The pending job of `userKey` with the earliest runAt, or null. */
async function earliestPending(db: DatabaseReader, userKey: string, reads?: ReadCounter): Promise<Doc<"jobs"> | null> {
  const job = await db
    .query("jobs")
    .withIndex("by_status_user_runAt", (q) => q.eq("status", "pending").eq("userKey", userKey))
    .first();
  reads?.read(job === null ? 0 : 1);
  return job;
}

/**
 * Records that `job` is pending from `runAt` on: its lane waits, due no later than `runAt`. A row without a user
 * key (inserted or claimed by other code) is given one here. One lane read.
 */
export async function noteWaiting(ctx: MutationCtx, job: Doc<"jobs">, runAt: number): Promise<void> {
  const userKey = userKeyOf(job);
  if (job.userKey === undefined || job.priority === undefined) {
    await ctx.db.patch("jobs", job._id, { userKey, priority: job.priority ?? 0 });
  }
  const now = Date.now();
  const lane = await laneOf(ctx.db, userKey);
  if (lane === null) {
    await ctx.db.insert("queueLanes", { userKey, waiting: true, nextDueAt: runAt, lastClaimAt: 0, updatedAt: now });
  } else if (!lane.waiting || lane.nextDueAt === undefined || runAt < lane.nextDueAt) {
    await ctx.db.patch("queueLanes", lane._id, { waiting: true, nextDueAt: runAt, updatedAt: now });
  }
}

/**
 * The stamp of a claim made at `now`: `now`, or just after the latest claim when that one has the same (or a
 * later) stamp, so that the lane claimed from goes strictly last. One read.
 */
export async function claimStamp(db: DatabaseReader, now: number, reads?: ReadCounter): Promise<number> {
  const latest = await db.query("queueLanes").withIndex("by_lastClaimAt").order("desc").first();
  reads?.read(latest === null ? 0 : 1);
  return latest === null ? now : Math.max(now, latest.lastClaimAt + 1);
}

/**
 * Recomputes whether `userKey` has pending jobs and the earliest runAt among them, and records a claim made at
 * `claimedAt` (when given). Two reads.
 */
export async function refreshLane(
  ctx: MutationCtx,
  userKey: string,
  claimedAt?: number,
  reads?: ReadCounter,
): Promise<void> {
  const [lane, earliest] = [await laneOf(ctx.db, userKey, reads), await earliestPending(ctx.db, userKey, reads)];
  const now = Date.now();
  const fields = {
    waiting: earliest !== null,
    nextDueAt: earliest === null ? undefined : (earliest.runAt ?? earliest.createdAt),
    ...(claimedAt !== undefined ? { lastClaimAt: claimedAt } : {}),
  };
  if (lane === null) {
    await ctx.db.insert("queueLanes", { userKey, lastClaimAt: 0, updatedAt: now, ...fields });
    return;
  }
  const unchanged =
    lane.waiting === fields.waiting &&
    lane.nextDueAt === fields.nextDueAt &&
    (claimedAt === undefined || lane.lastClaimAt === claimedAt);
  if (!unchanged) await ctx.db.patch("queueLanes", lane._id, { ...fields, updatedAt: now });
}

/** How many live leases (not expired at `now`) jobs of `userKey` hold, counted up to `cap`. */
export async function liveLeases(db: DatabaseReader, userKey: string, now: number, cap: number, reads: ReadCounter) {
  const held = await db
    .query("jobs")
    .withIndex("by_user_leaseUntil", (q) => q.eq("userKey", userKey).gt("leaseUntil", now))
    .take(cap);
  reads.read(held.length);
  return held.length;
}

/** Whether `userKey` may be given another job under the cap (0: no cap). */
export async function underCap(db: DatabaseReader, userKey: string, now: number, cap: number, reads: ReadCounter) {
  return cap === 0 || (await liveLeases(db, userKey, now, cap, reads)) < cap;
}

/**
 * The job `userKey` would run next: among its due pending jobs the highest priority, then the earliest runAt.
 * Each priority level costs two reads (the highest level left, then its earliest due job: when that one is not
 * due, none of the level is); past PRIORITY_LEVELS_PER_LANE levels without a due job, the user's earliest due
 * job whatever its priority.
 */
export async function nextJobOf(
  db: DatabaseReader,
  userKey: string,
  now: number,
  reads: ReadCounter,
): Promise<Doc<"jobs"> | null> {
  let below: number | undefined;
  for (let level = 0; level < PRIORITY_LEVELS_PER_LANE; level++) {
    const bound = below;
    const top = await db
      .query("jobs")
      .withIndex("by_status_user_priority_runAt", (q) =>
        bound === undefined
          ? q.eq("status", "pending").eq("userKey", userKey)
          : q.eq("status", "pending").eq("userKey", userKey).lt("priority", bound),
      )
      .order("desc")
      .first();
    reads.read(top === null ? 0 : 1);
    if (top === null) return null;
    const priority = top.priority ?? 0;
    const due = await db
      .query("jobs")
      .withIndex("by_status_user_priority_runAt", (q) =>
        q.eq("status", "pending").eq("userKey", userKey).eq("priority", priority).lte("runAt", now),
      )
      .first();
    reads.read(due === null ? 0 : 1);
    if (due !== null) return due;
    below = priority;
  }
  const due = await db
    .query("jobs")
    .withIndex("by_status_user_runAt", (q) => q.eq("status", "pending").eq("userKey", userKey).lte("runAt", now))
    .first();
  reads.read(due === null ? 0 : 1);
  return due;
}

/**
 * The next job by turns: visits the waiting lanes in `by_turn` order (oldest last claim first, ties by the oldest
 * waiting job), skips those not due yet or at the cap, and returns the first lane's next job. Lanes found to say
 * more than they have are refreshed. It stops once CLAIM_READ_BUDGET documents were read.
 */
export async function nextJobByTurns(
  ctx: MutationCtx,
  now: number,
  cap: number,
  reads: ReadCounter,
): Promise<Doc<"jobs"> | null> {
  const stale: string[] = [];
  let found: Doc<"jobs"> | null = null;
  reads.read(0);
  // why async iteration: lanes are read page by page, only as far as needed.
  for await (const lane of ctx.db
    .query("queueLanes")
    .withIndex("by_turn", (q) => q.eq("waiting", true))) {
    reads.documents += 1;
    if (reads.exhausted) break;
    if (lane.nextDueAt !== undefined && lane.nextDueAt > now) continue;
    if (!(await underCap(ctx.db, lane.userKey, now, cap, reads))) continue;
    const job = await nextJobOf(ctx.db, lane.userKey, now, reads);
    if (job !== null) {
      found = job;
      break;
    }
    // The lane said "due" but holds no due job (another writer ended one): put it right after the walk.
    stale.push(lane.userKey);
  }
  for (const userKey of stale) await refreshLane(ctx, userKey, undefined, reads);
  return found;
}

/** The earliest due pending job by `by_status_runAt` (undated rows first), whatever its lane says. */
async function earliestDue(db: DatabaseReader, now: number, reads: ReadCounter): Promise<Doc<"jobs"> | null> {
  const undated = await db
    .query("jobs")
    .withIndex("by_status_runAt", (q) => q.eq("status", "pending").eq("runAt", undefined))
    .first();
  reads.read(undated === null ? 0 : 1);
  if (undated !== null) return undated;
  const dated = await db
    .query("jobs")
    .withIndex("by_status_runAt", (q) => q.eq("status", "pending").lte("runAt", now))
    .first();
  reads.read(dated === null ? 0 : 1);
  return dated;
}

/**
 * Makes sure the lane of the earliest due pending job knows it is due: a writer that made the job pending without
 * noting its lane (the web app's own functions) would otherwise leave it waiting while other users have work. Every
 * claim does this (two or three reads), so no due job waits longer than it takes to become the earliest one.
 * Returns that job's user key, or null when nothing is due.
 */
export async function repairEarliestDue(ctx: MutationCtx, now: number, reads: ReadCounter): Promise<string | null> {
  const due = await earliestDue(ctx.db, now, reads);
  if (due === null) return null;
  const userKey = await adopt(ctx, due);
  const lane = await laneOf(ctx.db, userKey, reads);
  const dueAt = due.runAt ?? due.createdAt;
  if (lane === null || !lane.waiting || lane.nextDueAt === undefined || lane.nextDueAt > dueAt) {
    await refreshLane(ctx, userKey, undefined, reads);
  }
  return userKey;
}

/**
 * The safety net when the turns give nothing: the user of the earliest due pending job (its lane repaired), if that
 * user is under the cap, and that user's next job.
 */
export async function strayDueJob(
  ctx: MutationCtx,
  now: number,
  cap: number,
  reads: ReadCounter,
): Promise<Doc<"jobs"> | null> {
  const userKey = await repairEarliestDue(ctx, now, reads);
  if (userKey === null || !(await underCap(ctx.db, userKey, now, cap, reads))) return null;
  return await nextJobOf(ctx.db, userKey, now, reads);
}

/**
 * Gives a row inserted by other code (no `userKey`) its user key and priority, and notes its lane; returns its
 * user key. A row without `runAt` keeps none: such rows are due since always and come first in their user's order
 * (an index range bounded above includes the rows that lack the field, which sort first).
 */
async function adopt(ctx: MutationCtx, job: Doc<"jobs">): Promise<string> {
  const userKey = userKeyOf(job);
  if (job.userKey !== undefined && job.priority !== undefined) return userKey;
  const priority = job.priority ?? 0;
  await ctx.db.patch("jobs", job._id, { userKey, priority });
  if (job.status === "pending") await noteWaiting(ctx, { ...job, userKey, priority }, job.runAt ?? job.createdAt);
  return userKey;
}

/** Adopts up to `limit` pending rows that have no user key (oldest first); returns how many. */
export async function adoptUnmanaged(ctx: MutationCtx, limit: number, reads?: ReadCounter): Promise<number> {
  const rows = await ctx.db
    .query("jobs")
    .withIndex("by_status_user_priority_runAt", (q) => q.eq("status", "pending").eq("userKey", undefined))
    .take(limit);
  reads?.read(rows.length);
  for (const row of rows) {
    await adopt(ctx, row);
    reads?.read(1);
  }
  return rows.length;
}
