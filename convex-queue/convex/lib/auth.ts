import { fail } from "./errors";

/** Name of the deployment environment variable holding the worker secret. */
export const WORKER_SECRET_ENV = "FONDATION_WORKER_SECRET";

/**
 * Refuses the call unless `given` equals the deployment's worker secret.
 *
 * Worker functions (claim, heartbeat, complete, documents, tokens...) are public Convex functions,
 * reachable by anyone who knows the deployment URL, so they check a shared secret configured with
 * `npx convex env set FONDATION_WORKER_SECRET ...`. When the variable is unset the functions are
 * closed rather than open: a forgotten configuration must not publish the queue.
 *
 * The error never contains the secret or the given value.
 */
export function requireWorker(given: string | undefined): void {
  const expected = environment()[WORKER_SECRET_ENV];
  if (expected === undefined || expected.length === 0) {
    throw fail(
      "UNAUTHORIZED",
      `worker functions are disabled: set ${WORKER_SECRET_ENV} in the deployment's environment ` +
        `(npx convex env set ${WORKER_SECRET_ENV} <secret>) and give the same secret to the worker`,
    );
  }
  if (given === undefined || given.length === 0) {
    throw fail("UNAUTHORIZED", "this worker function needs the workerSecret argument");
  }
  if (!constantTimeEquals(given, expected)) {
    throw fail("UNAUTHORIZED", "the workerSecret argument does not match the deployment's worker secret");
  }
}

/** The deployment's environment variables (`process.env` in the Convex runtime). */
function environment(): Record<string, string | undefined> {
  // Through globalThis so the functions typecheck without Node's type definitions.
  return (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
}

/**
 * Compares two strings in time that depends only on their lengths, not on where they differ.
 * (The Convex runtime has no `crypto.timingSafeEqual`.)
 */
export function constantTimeEquals(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    // Out-of-range indexes give NaN; `| 0` turns that into 0 so the loop does the same work.
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}
