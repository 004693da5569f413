import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  SECRET,
  claim,
  configureSecret,
  enqueue,
  expectConvexError,
  mutate,
  newConvex,
  read,
  resetSecret,
  row,
  useClock,
  type TestConvex,
} from "./support";

beforeEach(() => configureSecret());
afterEach(() => {
  resetSecret();
  vi.restoreAllMocks();
});

/** Fingerprints as workers compute them (never a secret). */
const ACCOUNT = "sha256:00112233445566778899aabbccddeeff";
const OTHER_ACCOUNT = "sha256:ffeeddccbbaa99887766554433221100";

async function recordPause(t: TestConvex, extra: Record<string, unknown> = {}) {
  return await mutate(t, "queue:recordPause", {
    credential: ACCOUNT,
    kind: "rate_limit",
    workerId: "w-limited",
    workerSecret: SECRET,
    ...extra,
  });
}

async function releaseLimited(t: TestConvex, claimed: { id: string; leaseToken: string }, workerId: string, extra = {}) {
  return await mutate(t, "queue:releaseRateLimited", {
    jobId: claimed.id,
    workerId,
    leaseToken: claimed.leaseToken,
    credential: ACCOUNT,
    kind: "rate_limit",
    error: "API Error: Request rejected (429) · rate limited",
    workerSecret: SECRET,
    ...extra,
  });
}

describe("one pause for the fleet per LLM credential", () => {
  test("while paused, no claim with that credential gets a job; other credentials and plain claims still do", async () => {
    const clock = useClock();
    const t = newConvex();
    for (let i = 0; i < 3; i++) await enqueue(t);
    const pause = await recordPause(t, { retryAfterMs: 20_000 });
    expect(pause).toMatchObject({ credential: ACCOUNT, kind: "rate_limit", strikes: 1, retryAfterMs: 20_000, recordedBy: "w-limited" });
    // The retry-after, plus at most 10 % of jitter.
    expect(pause.until - clock.now()).toBeGreaterThanOrEqual(20_000);
    expect(pause.until - clock.now()).toBeLessThanOrEqual(22_000);
    expect(pause.resumesAt).toBe(pause.until);

    expect(await claim(t, "w1", { credential: ACCOUNT })).toBeNull();
    expect(await claim(t, "w2", { credential: OTHER_ACCOUNT })).not.toBeNull();
    expect(await claim(t, "w3")).not.toBeNull();
  });

  test("after the pause one claim probes; the others wait until the probe reports or its window ends", async () => {
    const clock = useClock();
    const t = newConvex();
    for (let i = 0; i < 3; i++) await enqueue(t);
    const pause = await recordPause(t, { retryAfterMs: 20_000 });
    clock.advance(pause.until - clock.now());

    const probe = await claim(t, "w1", { credential: ACCOUNT });
    expect(probe).not.toBeNull();
    expect(await claim(t, "w2", { credential: ACCOUNT })).toBeNull();
    const view = await read(t, "queue:getPause", { credential: ACCOUNT, workerSecret: SECRET });
    expect(view).toMatchObject({ probeBy: "w1", probeUntil: clock.now() + 60_000, resumesAt: clock.now() + 60_000 });

    // No news from the probe within its window: the others resume.
    clock.advance(60_000);
    expect(await claim(t, "w2", { credential: ACCOUNT })).not.toBeNull();
    expect(await claim(t, "w3", { credential: ACCOUNT })).not.toBeNull();
  });

  test("a probe that gets through clears the pause: claims resume at once", async () => {
    const clock = useClock();
    const t = newConvex();
    for (let i = 0; i < 2; i++) await enqueue(t);
    const pause = await recordPause(t);
    // A pause still in force is not cleared.
    expect(await mutate(t, "queue:clearPause", { credential: ACCOUNT, workerId: "w1", workerSecret: SECRET })).toEqual({ cleared: false });
    clock.advance(pause.until - clock.now());
    expect(await claim(t, "w1", { credential: ACCOUNT })).not.toBeNull();
    expect(await mutate(t, "queue:clearPause", { credential: ACCOUNT, workerId: "w1", workerSecret: SECRET })).toEqual({ cleared: true });
    expect(await claim(t, "w2", { credential: ACCOUNT })).not.toBeNull();
    expect(await read(t, "queue:getPause", { credential: ACCOUNT, workerSecret: SECRET })).toBeNull();
  });

  test("with answerPause, a claim held back by the pause answers the pause: its worker needs no getPause", async () => {
    const clock = useClock();
    const t = newConvex();
    for (let i = 0; i < 3; i++) await enqueue(t);
    const pause = await recordPause(t, { retryAfterMs: 20_000 });

    // Workers that predate answerPause do not send it, and still get null.
    expect(await claim(t, "w1", { credential: ACCOUNT })).toBeNull();
    const held = await claim(t, "w1", { credential: ACCOUNT, answerPause: true });
    expect(held).toEqual({ paused: pause });
    expect(held.paused.resumesAt).toBe(pause.until);
    // Not paused: nothing to say, whether nothing is due or a job was claimed.
    expect(await claim(t, "w2", { credential: OTHER_ACCOUNT, answerPause: true })).toMatchObject({ probe: false });
    expect(await claim(t, "w2", { answerPause: true })).toMatchObject({ probe: false });

    // Past the pause, the probe's answer says it is the probe; the others are held back by its window, and say so.
    clock.advance(pause.until - clock.now());
    const probe = await claim(t, "w3", { credential: ACCOUNT, answerPause: true });
    expect(probe).toMatchObject({ probe: true });
    const waiting = await claim(t, "w4", { credential: ACCOUNT, answerPause: true });
    const view = await read(t, "queue:getPause", { credential: ACCOUNT, workerSecret: SECRET });
    expect(waiting).toEqual({ paused: view });
    expect(waiting.paused).toMatchObject({ until: pause.until, resumesAt: clock.now() + 60_000, probeBy: "w3" });
    expect(await claim(t, "w4", { credential: OTHER_ACCOUNT, answerPause: true })).toBeNull();
  });

  test("only the claim that opened the probe window is the probe, and a repeated claim (lost answer) says so again", async () => {
    const clock = useClock();
    const t = newConvex();
    for (let i = 0; i < 3; i++) await enqueue(t);
    const pause = await recordPause(t);
    clock.advance(pause.until - clock.now());

    const probe = await claim(t, "w1", { credential: ACCOUNT, claimToken: "claim-1" });
    expect(probe.probe).toBe(true);
    const again = await claim(t, "w1", { credential: ACCOUNT, claimToken: "claim-1" });
    expect(again).toMatchObject({ id: probe.id, leaseToken: probe.leaseToken, probe: true });

    // The window ends with no news: claims go again, none of them a probe.
    clock.advance(60_000);
    const next = await claim(t, "w2", { credential: ACCOUNT, claimToken: "claim-2" });
    expect(next).toMatchObject({ probe: false });
    expect((await claim(t, "w2", { credential: ACCOUNT, claimToken: "claim-2" })).probe).toBe(false);
    // A new limit resets the probe: the job that was the probe is not one any more.
    await recordPause(t);
    expect((await claim(t, "w1", { credential: ACCOUNT, claimToken: "claim-1" })).probe).toBe(false);
  });

  test("limits met in a row lengthen the pause (doubled, capped, never below the retry-after); limits during a pause add no strike", async () => {
    const clock = useClock();
    vi.spyOn(Math, "random").mockReturnValue(0); // no jitter: exact lengths
    const t = newConvex();
    const first = await recordPause(t);
    expect(first.until - clock.now()).toBe(60_000);
    // Another worker, running a job since before the pause, meets the same limit: still one strike.
    clock.advance(10_000);
    const during = await recordPause(t, { workerId: "w-other" });
    expect(during).toMatchObject({ strikes: 1, until: first.until });

    const lengths: number[] = [];
    for (let i = 0; i < 6; i++) {
      clock.advance((await read(t, "queue:getPause", { credential: ACCOUNT, workerSecret: SECRET })).until - clock.now());
      const next = await recordPause(t);
      lengths.push(next.until - clock.now());
    }
    expect(lengths).toEqual([120_000, 240_000, 480_000, 900_000, 900_000, 900_000]);

    // An overload's default is 30 s; a retry-after longer than the cap is honoured (up to 6 h).
    const overload = await mutate(t, "queue:recordPause", {
      credential: OTHER_ACCOUNT, kind: "overloaded", workerId: "w", workerSecret: SECRET,
    });
    expect(overload.until - clock.now()).toBe(30_000);
    clock.advance(30_000);
    const long = await mutate(t, "queue:recordPause", {
      credential: OTHER_ACCOUNT, kind: "rate_limit", retryAfterMs: 3_600_000, workerId: "w", workerSecret: SECRET,
    });
    expect(long).toMatchObject({ strikes: 2 });
    expect(long.until - clock.now()).toBe(3_600_000);
  });

  test("a limit long after the last pause starts a new streak", async () => {
    const clock = useClock();
    vi.spyOn(Math, "random").mockReturnValue(0);
    const t = newConvex();
    const first = await recordPause(t);
    clock.advance(first.until - clock.now() + 10 * 60_000 + 1);
    const later = await recordPause(t);
    expect(later).toMatchObject({ strikes: 1, since: clock.now() });
    expect(later.until - clock.now()).toBe(60_000);
  });

  test("releaseRateLimited gives the job back without spending an attempt and pauses the credential", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t, { maxAttempts: 2 });
    const held = await claim(t, "w1", { credential: ACCOUNT });
    expect(held.attempts).toBe(1);

    const answer = await releaseLimited(t, held, "w1", { retryAfterMs: 20_000, costUsd: 0.01 });
    expect(answer).toMatchObject({ outcome: "released", attempts: 0, rateLimitedReleases: 1 });
    expect(answer.pause).toMatchObject({ credential: ACCOUNT, strikes: 1 });
    expect(await row(t, id)).toMatchObject({
      status: "pending", attempts: 0, runAt: clock.now(), rateLimitedReleases: 1, costUsd: 0.01,
      lastError: "API Error: Request rejected (429) · rate limited",
    });
    // Due at once, but not for this credential: a worker with another account may take it.
    expect(await claim(t, "w2", { credential: ACCOUNT })).toBeNull();
    expect((await claim(t, "w3", { credential: OTHER_ACCOUNT })).id).toBe(id);
  });

  test("a job that keeps meeting the limit after every pause still ends as the retry policy says", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t, { maxAttempts: 3 });
    const outcomes: string[] = [];
    for (let run = 0; run < 30; run++) {
      const pause = await read(t, "queue:getPause", { credential: ACCOUNT, workerSecret: SECRET });
      const job = await row(t, id);
      if (job.status === "dead") break;
      clock.advance(Math.max(pause?.resumesAt ?? 0, job.runAt) - clock.now());
      const held = await claim(t, "w1", { credential: ACCOUNT });
      expect(held?.id).toBe(id);
      outcomes.push((await releaseLimited(t, held, "w1")).outcome);
    }
    // 10 free releases, then each limit spends an attempt: 3 more runs.
    expect(outcomes).toEqual([...Array(10).fill("released"), "retrying", "retrying", "dead"]);
    expect(await row(t, id)).toMatchObject({ status: "dead", attempts: 3, rateLimitedReleases: 10 });
    expect((await row(t, id)).error).toContain("rate limited 11 times");
  });

  test("a spent attempt after the free releases is retried no earlier than the pause's end", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t, { maxAttempts: 3 });
    await t.run(async (ctx) => ctx.db.patch("jobs", id as any, { rateLimitedReleases: 10 }));
    const held = await claim(t, "w1", { credential: ACCOUNT });
    const answer = await releaseLimited(t, held, "w1", { retryAfterMs: 3_600_000 });
    expect(answer).toMatchObject({ outcome: "retrying", attempts: 1 });
    expect(answer.nextRunAt).toBeGreaterThanOrEqual(answer.pause.until);
    expect(answer.nextRunAt).toBeGreaterThanOrEqual(clock.now() + 3_600_000);
  });

  test("a worker that lost the job still records the limit", async () => {
    useClock();
    const t = newConvex();
    const id = await enqueue(t);
    const held = await claim(t, "w1");
    const answer = await releaseLimited(t, { id, leaseToken: "someone-elses" }, "w1");
    expect(answer).toMatchObject({ outcome: "not_held", attempts: 1 });
    expect(await read(t, "queue:getPause", { credential: ACCOUNT, workerSecret: SECRET })).not.toBeNull();
    expect(await row(t, id)).toMatchObject({ status: "claimed", lockedBy: "w1", leaseToken: held.leaseToken });
  });

  test("only fingerprints are stored: a value that looks like the secret is refused and not repeated", async () => {
    useClock();
    const t = newConvex();
    for (const bad of ["sk-ant-api03-FAKE", "sha256:XYZ", "sha256:0011", "0011223344556677889900"]) {
      const error = await expectConvexError(recordPause(t, { credential: bad }), "INVALID_ARGUMENT");
      expect(error.message).not.toContain(bad);
      await expectConvexError(claim(t, "w1", { credential: bad }), "INVALID_ARGUMENT");
    }
    await expectConvexError(recordPause(t, { retryAfterMs: -1 }), "INVALID_ARGUMENT");
  });

  test("listPauses shows the pauses that still hold claims back, for status", async () => {
    const clock = useClock();
    const t = newConvex();
    await recordPause(t);
    await mutate(t, "queue:recordPause", { credential: OTHER_ACCOUNT, kind: "overloaded", workerId: "w", workerSecret: SECRET });
    const now = clock.now();
    expect((await read(t, "queue:listPauses", { since: now, workerSecret: SECRET })).map((p: any) => p.credential).sort()).toEqual(
      [ACCOUNT, OTHER_ACCOUNT].sort(),
    );
    expect(await read(t, "queue:listPauses", { since: now + 3_600_000, workerSecret: SECRET })).toEqual([]);
    await expectConvexError(read(t, "queue:listPauses", { since: now }), "UNAUTHORIZED");
  });
});
