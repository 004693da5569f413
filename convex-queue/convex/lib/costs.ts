import type { Doc } from "../_generated/dataModel";
import { fail } from "./errors";

/*
 * Budgets across attempts (issue 22). Each attempt's cost, as the worker reports it (Claude Code's
 * `total_cost_usd`), is added to the job's `costUsd`. A job may carry `maxCostUsd`; otherwise the claiming
 * worker's default (`JOB_MAX_COST_USD`, passed to claimOne) is the cap, recorded as `costLimitUsd`. A claim
 * answers what is left (`budgetUsd`), which the worker gives the attempt as its own cap; a failed attempt that
 * leaves nothing ends the job `dead` with a message that says so, and a claim of a job with nothing left does too.
 * Amounts are kept to the micro-dollar so that sums of decimal costs compare exactly.
 */

/** The largest cost or cap accepted, in US dollars: anything above is a unit mistake. */
export const MAX_COST_USD = 1_000_000;

/** A cost rounded to the micro-dollar. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1_000_000) / 1_000_000;
}

/** A cost or cap from an argument: a finite, non-negative number of dollars (undefined stays undefined). */
export function requireUsd(name: string, usd: number | undefined): number | undefined {
  if (usd === undefined) return undefined;
  if (!Number.isFinite(usd) || usd < 0 || usd > MAX_COST_USD) {
    throw fail("INVALID_ARGUMENT", `${name} must be a number of US dollars from 0 to ${MAX_COST_USD}, was ${usd}`);
  }
  return roundUsd(usd);
}

/** What the job's attempts cost so far. */
export function spentUsd(job: Doc<"jobs">): number {
  return job.costUsd ?? 0;
}

/** The job's cost once an attempt that cost `attemptUsd` is added. */
export function withAttemptCost(job: Doc<"jobs">, attemptUsd: number | undefined): number | undefined {
  if (attemptUsd === undefined) return job.costUsd;
  return roundUsd(spentUsd(job) + attemptUsd);
}

/** The cap in force for a claim: the job's own, else the claiming worker's default. */
export function capFor(job: Doc<"jobs">, workerDefault: number | undefined): number | undefined {
  return job.maxCostUsd ?? workerDefault;
}

/** What is left of `cap` once `spent` is spent (never below 0). */
export function leftUsd(cap: number, spent: number): number {
  return Math.max(roundUsd(cap - spent), 0);
}

/** Whether `spent` leaves nothing of `cap`. */
export function isSpent(cap: number | undefined, spent: number): boolean {
  return cap !== undefined && roundUsd(cap - spent) <= 0;
}

function usd(amount: number): string {
  return `$${amount >= 0.01 || amount === 0 ? amount.toFixed(2) : amount.toFixed(4)}`;
}

/** The error of a job that ends because its budget is spent. */
export function budgetSpentMessage(spent: number, cap: number, attempts: number, lastError?: string): string {
  const head =
    `budget spent: the job's attempts cost ${usd(spent)} of its ${usd(cap)} limit ` +
    `(${attempts} attempt${attempts === 1 ? "" : "s"}); it is not retried`;
  return lastError === undefined || lastError.length === 0 ? head : `${head}. Last error: ${lastError}`;
}
