import { fail, type ErrorCode } from "./errors";

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

/** Name of the deployment environment variable holding the token of the depth route (convex/http.ts). */
export const DEPTH_TOKEN_ENV = "FONDATION_DEPTH_TOKEN";
/** The request header that carries it (KEDA's metrics-api trigger: `authMode: apiKey`, `keyParamName`). */
export const DEPTH_TOKEN_HEADER = "X-Fondation-Depth-Token";

/** Why a depth request is refused: the HTTP status and a `{code, message}` body that names no secret. */
export interface DepthTokenRefusal {
  status: 401 | 503;
  code: ErrorCode;
  message: string;
}

/**
 * Null when `given` (the request's {@link DEPTH_TOKEN_HEADER}) equals the deployment's FONDATION_DEPTH_TOKEN, compared
 * in constant time; otherwise why not. Closed by default like the worker functions: an unset token disables the route.
 * A token equal to the worker secret is refused too, whoever asks: the depth token lives in a Kubernetes Secret read
 * by KEDA, and must never open the worker functions (a wrong header could then probe the worker secret).
 */
export function checkDepthToken(given: string | null): DepthTokenRefusal | null {
  const env = environment();
  const expected = env[DEPTH_TOKEN_ENV];
  if (expected === undefined || expected.length === 0) {
    return {
      status: 503,
      code: "FAILED_PRECONDITION",
      message: `the depth route is disabled: set ${DEPTH_TOKEN_ENV} in the deployment's environment ` +
        `(npx convex env set ${DEPTH_TOKEN_ENV} <token>) and give the same token to the autoscaler`,
    };
  }
  const workerSecret = env[WORKER_SECRET_ENV];
  if (workerSecret !== undefined && workerSecret.length > 0 && constantTimeEquals(expected, workerSecret)) {
    return {
      status: 503,
      code: "FAILED_PRECONDITION",
      message: `${DEPTH_TOKEN_ENV} must not be the worker secret (${WORKER_SECRET_ENV}): give the depth route a token of its own`,
    };
  }
  if (given === null || given.length === 0) {
    return { status: 401, code: "UNAUTHORIZED", message: `the depth route needs the ${DEPTH_TOKEN_HEADER} header` };
  }
  if (!constantTimeEquals(given, expected)) {
    return { status: 401, code: "UNAUTHORIZED", message: `the ${DEPTH_TOKEN_HEADER} header does not match ${DEPTH_TOKEN_ENV}` };
  }
  return null;
}

/**
 * For a function the web app calls without credentials (it has no Convex auth today) that also serves the
 * worker: a given `workerSecret` must be right (a misconfigured worker fails loudly), none is needed.
 */
export function checkWorkerSecretIfGiven(given: string | undefined): void {
  if (given !== undefined) requireWorker(given);
}

/**
 * Why a public function has no access check: the web app calls it without credentials (it has no Convex
 * auth configured), or it gives out nothing (the capabilities probe). A marker for readers and for the
 * `@convex-dev/require-access-control` lint rule, which accepts it as the function's access decision; the
 * access table in docs/convex-functions.md lists every function and who may call it.
 */
export type PublicReason =
  | "web app: no credentials today"
  | "web app: reads without secrets"
  | "probe: no data";

export function allowPublic(_reason: PublicReason): void {
  // Nothing to check, by design: see the reason.
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
