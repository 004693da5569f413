import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  SECRET,
  claim,
  configureSecret,
  enqueue,
  expectConvexError,
  mutate,
  newConvex,
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

async function fail(t: TestConvex, held: { id: string; leaseToken: string }, costUsd: number, extra = {}) {
  return await mutate(t, "queue:retryOrFail", {
    jobId: held.id,
    workerId: "w1",
    leaseToken: held.leaseToken,
    error: "analyzer failed",
    costUsd,
    workerSecret: SECRET,
    ...extra,
  });
}

/** Claims the job again once its retry is due. */
async function claimWhenDue(t: TestConvex, clock: { now(): number; advance(ms: number): void }, id: string, extra = {}) {
  clock.advance(Math.max((await row(t, id)).runAt - clock.now(), 0));
  const held = await claim(t, "w1", extra);
  expect(held.id).toBe(id);
  return held;
}

describe("budgets across attempts", () => {
  test("maxCostUsd 1.00, attempts costing 0.40 that fail: the third gets 0.20 and the job ends dead, its total 1.00", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t, { maxCostUsd: 1, maxAttempts: 10 });

    const first = await claim(t, "w1");
    expect(first).toMatchObject({ budgetUsd: 1, costUsd: 0 });
    expect(await fail(t, first, 0.4)).toMatchObject({ status: "retrying", attempts: 1 });

    const second = await claimWhenDue(t, clock, id);
    expect(second).toMatchObject({ budgetUsd: 0.6, costUsd: 0.4 });
    expect(await fail(t, second, 0.4)).toMatchObject({ status: "retrying", attempts: 2 });

    const third = await claimWhenDue(t, clock, id);
    expect(third).toMatchObject({ budgetUsd: 0.2, costUsd: 0.8 });
    // The analyzer stops at the cap it was given.
    expect(await fail(t, third, 0.2)).toEqual({ status: "dead", attempts: 3 });

    const job = await row(t, id);
    expect(job).toMatchObject({ status: "dead", attempts: 3, costUsd: 1, maxCostUsd: 1 });
    expect(job.error).toBe(
      "budget spent: the job's attempts cost $1.00 of its $1.00 limit (3 attempts); it is not retried. Last error: analyzer failed",
    );
    expect(job.lockedBy).toBeUndefined();
  });

  test("an attempt that overruns its cap is recorded as it was, and the job ends dead", async () => {
    useClock();
    const t = newConvex();
    const id = await enqueue(t, { maxCostUsd: 0.5 });
    const held = await claim(t, "w1");
    expect(await fail(t, held, 0.75)).toEqual({ status: "dead", attempts: 1 });
    expect(await row(t, id)).toMatchObject({ costUsd: 0.75 });
    expect((await row(t, id)).error).toContain("cost $0.75 of its $0.50 limit");
  });

  test("the worker's default cap applies to a job without its own; the job's own wins", async () => {
    const clock = useClock();
    const t = newConvex();
    const uncapped = await enqueue(t);
    clock.advance(1);
    const capped = await enqueue(t, { maxCostUsd: 3 });

    const a = await claim(t, "w1", { maxCostUsd: 2 });
    expect(a).toMatchObject({ id: uncapped, budgetUsd: 2 });
    expect(await row(t, uncapped)).toMatchObject({ costLimitUsd: 2 });
    const b = await claim(t, "w2", { maxCostUsd: 2 });
    expect(b).toMatchObject({ id: capped, budgetUsd: 3 });
  });

  test("without any cap a claim names no budget, and costs still add up over attempts", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t);
    const first = await claim(t, "w1");
    expect(first).not.toHaveProperty("budgetUsd");
    await fail(t, first, 0.1);
    const second = await claimWhenDue(t, clock, id);
    await mutate(t, "queue:complete", { jobId: id, workerId: "w1", leaseToken: second.leaseToken, costUsd: 0.2, workerSecret: SECRET });
    expect(await row(t, id)).toMatchObject({ status: "completed", costUsd: 0.3 });
  });

  test("a job whose budget was spent while it waited ends dead at its claim, and the claim takes the next job", async () => {
    const clock = useClock();
    const t = newConvex();
    const spent = await enqueue(t, { maxCostUsd: 0.5 });
    clock.advance(1);
    const next = await enqueue(t);
    const held = await claim(t, "w1");
    expect(held.id).toBe(spent);
    // Given back (say, the worker stopped) after spending the whole budget: no attempt spent, the cost counts.
    await mutate(t, "queue:release", { jobId: spent, workerId: "w1", leaseToken: held.leaseToken, costUsd: 0.5, workerSecret: SECRET });

    expect((await claim(t, "w2")).id).toBe(next);
    const job = await row(t, spent);
    expect(job).toMatchObject({ status: "dead", attempts: 0, costUsd: 0.5 });
    expect(job.error).toMatch(/^budget spent: the job's attempts cost \$0\.50 of its \$0\.50 limit \(0 attempts\)/);
  });

  test("a failure that is not retryable stays failed whatever the budget", async () => {
    useClock();
    const t = newConvex();
    const id = await enqueue(t, { maxCostUsd: 0.1 });
    const held = await claim(t, "w1");
    expect(await fail(t, held, 0.2, { retryable: false })).toEqual({ status: "failed", attempts: 1 });
    expect(await row(t, id)).toMatchObject({ status: "failed", error: "analyzer failed", costUsd: 0.2 });
  });

  test("sums of decimal costs compare exactly (to the micro-dollar)", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t, { maxCostUsd: 0.3, maxAttempts: 10 });
    let held = await claim(t, "w1");
    expect(await fail(t, held, 0.1)).toMatchObject({ status: "retrying" });
    held = await claimWhenDue(t, clock, id);
    expect(await fail(t, held, 0.1)).toMatchObject({ status: "retrying" });
    held = await claimWhenDue(t, clock, id);
    expect(held.budgetUsd).toBe(0.1);
    // 0.1 + 0.1 + 0.1 is 0.30000000000000004 in floating point: still exactly the cap here.
    expect(await fail(t, held, 0.1)).toMatchObject({ status: "dead" });
    expect(await row(t, id)).toMatchObject({ costUsd: 0.3 });
  });

  test("costs and caps must be non-negative numbers of dollars", async () => {
    useClock();
    const t = newConvex();
    await expectConvexError(enqueue(t, { maxCostUsd: -1 }), "INVALID_ARGUMENT");
    await expectConvexError(enqueue(t, { maxCostUsd: Number.NaN }), "INVALID_ARGUMENT");
    await expectConvexError(claim(t, "w1", { maxCostUsd: -0.5 }), "INVALID_ARGUMENT");
    const id = await enqueue(t);
    const held = await claim(t, "w1");
    await expectConvexError(fail(t, held, -0.1), "INVALID_ARGUMENT");
    expect(await row(t, id)).toMatchObject({ status: "claimed" });
  });
});
