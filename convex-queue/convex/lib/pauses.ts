import type { Doc, Id } from "../_generated/dataModel";
import type { DatabaseReader, MutationCtx } from "../_generated/server";
import { fail } from "./errors";

/*
 * One pause for the fleet per LLM credential (issue 22). When an analyzer meets a rate limit (429) or an overload
 * (529), its worker records a pause for the credential it ran with, identified by a fingerprint (never the secret):
 * no claim that names that credential gets a job until the pause ends. Then ONE claim probes the API (the probe
 * window): the others still get nothing until the probe's worker reports a new limit (a longer pause), clears the
 * pause (the API answered), or the window ends.
 *
 * Length: the retry-after the API gave, else 60 s for a rate limit and 30 s for an overload; doubled for each limit
 * met in a row (a limit recorded after the previous pause ended, within STREAK_MS of its end), capped at
 * MAX_PAUSE_MS but never shorter than a retry-after (itself capped at MAX_RETRY_AFTER_MS), plus up to 10 % of
 * random jitter. A limit reported while the pause holds (jobs that were running when it began) adds no strike; it
 * only lengthens the pause to its own retry-after.
 */

export const DEFAULT_RATE_LIMIT_PAUSE_MS = 60_000;
export const DEFAULT_OVERLOAD_PAUSE_MS = 30_000;
/** The longest pause that doubling reaches. */
export const MAX_PAUSE_MS = 15 * 60_000;
/** The longest retry-after honoured (a usage limit may name a reset hours away). */
export const MAX_RETRY_AFTER_MS = 6 * 3_600_000;
/** A limit met within this long after a pause ended continues its streak (the next pause is longer). */
export const STREAK_MS = 10 * 60_000;
/** How long the probe claim has to report a limit or clear the pause before the other claims resume. */
export const PROBE_WINDOW_MS = 60_000;
/** Up to this share of the pause is added at random, so that fleets sharing an account do not resume in step. */
export const PAUSE_JITTER = 0.1;

export type LimitKind = "rate_limit" | "overloaded";

/**
 * A credential fingerprint as workers compute it: `<algorithm>:<lowercase hex>`, e.g. `sha256:` and 16 to 64 hex
 * digits. Anything else is refused, so that a secret passed by mistake is never stored.
 */
const FINGERPRINT = /^[a-z0-9]{2,16}:[0-9a-f]{16,64}$/;

export function requireFingerprint(credential: string): string {
  if (!FINGERPRINT.test(credential)) {
    // The value is not repeated: it might be the secret itself.
    throw fail(
      "INVALID_ARGUMENT",
      "credential must be a fingerprint such as sha256:<16 to 64 lowercase hex digits>, never the credential itself",
    );
  }
  return credential;
}

export function requireRetryAfterMs(retryAfterMs: number | undefined): number | undefined {
  if (retryAfterMs === undefined) return undefined;
  if (!Number.isFinite(retryAfterMs) || retryAfterMs < 0) {
    throw fail("INVALID_ARGUMENT", `retryAfterMs must be a non-negative number of milliseconds, was ${retryAfterMs}`);
  }
  return Math.min(Math.floor(retryAfterMs), MAX_RETRY_AFTER_MS);
}

export async function pauseOf(db: DatabaseReader, credential: string): Promise<Doc<"llmPauses"> | null> {
  return await db
    .query("llmPauses")
    .withIndex("by_credential", (q) => q.eq("credential", credential))
    .unique();
}

/** Whether a probe was handed out after the pause's end (its window may be over). */
function probeStarted(pause: Doc<"llmPauses">): boolean {
  return pause.probeUntil !== undefined && pause.probeUntil > pause.until;
}

/** When claims for the credential may resume, or null when they may now. */
export function blockedUntil(pause: Doc<"llmPauses"> | null, now: number): number | null {
  if (pause === null) return null;
  if (now < pause.until) return pause.until;
  if (probeStarted(pause) && now < pause.probeUntil!) return pause.probeUntil!;
  return null;
}

/** Whether the next claim for this credential is the probe (the pause ended and no probe went out yet). */
export function probeDue(pause: Doc<"llmPauses"> | null, now: number): boolean {
  return pause !== null && now >= pause.until && !probeStarted(pause);
}

/** Hands the probe to the claim of `workerId`, which took `jobId`. */
export async function startProbe(
  ctx: MutationCtx,
  pause: Doc<"llmPauses">,
  now: number,
  workerId: string,
  jobId: Id<"jobs">,
): Promise<void> {
  await ctx.db.patch("llmPauses", pause._id, {
    probeUntil: now + PROBE_WINDOW_MS,
    probeBy: workerId,
    probeJobId: jobId,
    updatedAt: now,
  });
}

/** The pause length before jitter for the `strikes`-th limit in a row. */
export function pauseLengthMs(kind: LimitKind, strikes: number, retryAfterMs: number | undefined): number {
  const base = retryAfterMs ?? (kind === "overloaded" ? DEFAULT_OVERLOAD_PAUSE_MS : DEFAULT_RATE_LIMIT_PAUSE_MS);
  const grown = Math.min(base * 2 ** Math.min(Math.max(strikes - 1, 0), 20), MAX_PAUSE_MS);
  return Math.max(grown, retryAfterMs ?? 0);
}

/**
 * Records a limit met with `credential` at `now` and returns the pause in force. See the top of this file for the
 * length; `random` (0..1) draws the jitter.
 */
export async function recordLimit(
  ctx: MutationCtx,
  credential: string,
  kind: LimitKind,
  retryAfterMs: number | undefined,
  workerId: string,
  now: number,
  random: number,
): Promise<Doc<"llmPauses">> {
  const pause = await pauseOf(ctx.db, credential);
  const jitter = (length: number) => Math.floor(random * PAUSE_JITTER * length);
  if (pause !== null && now < pause.until) {
    // Still paused: a job that was running when the pause began met the same limit. No strike; a longer
    // retry-after than the pause has left lengthens it.
    const wanted = retryAfterMs === undefined ? pause.until : now + retryAfterMs;
    const fields = {
      updatedAt: now,
      recordedBy: workerId,
      ...(wanted > pause.until ? { until: wanted, retryAfterMs } : {}),
    };
    await ctx.db.patch("llmPauses", pause._id, fields);
    return { ...pause, ...fields };
  }
  const streak = pause !== null && now - pause.until <= STREAK_MS;
  const strikes = streak ? pause.strikes + 1 : 1;
  const length = pauseLengthMs(kind, strikes, retryAfterMs);
  const fields = {
    kind,
    until: now + length + jitter(length),
    strikes,
    retryAfterMs,
    since: streak ? pause.since : now,
    updatedAt: now,
    recordedBy: workerId,
    probeUntil: undefined,
    probeBy: undefined,
    probeJobId: undefined,
  };
  if (pause === null) {
    const id = await ctx.db.insert("llmPauses", { credential, ...fields });
    return (await ctx.db.get("llmPauses", id))!;
  }
  await ctx.db.patch("llmPauses", pause._id, fields);
  return { ...pause, ...fields };
}

/**
 * What readers see of a pause. Time-independent (no `Date.now()`), so that a subscribed query stays right as
 * time passes: the reader compares `resumesAt` with its clock. `resumesAt` is when a claim for the credential may
 * go again: the pause's end (that claim is the probe), or, once a probe went out, the end of its window.
 */
export function pauseView(pause: Doc<"llmPauses">) {
  const probing = probeStarted(pause);
  return {
    credential: pause.credential,
    kind: pause.kind,
    until: pause.until,
    resumesAt: probing ? pause.probeUntil! : pause.until,
    strikes: pause.strikes,
    since: pause.since,
    ...(pause.retryAfterMs !== undefined ? { retryAfterMs: pause.retryAfterMs } : {}),
    ...(probing ? { probeUntil: pause.probeUntil!, probeBy: pause.probeBy! } : {}),
    recordedBy: pause.recordedBy,
    updatedAt: pause.updatedAt,
  };
}
