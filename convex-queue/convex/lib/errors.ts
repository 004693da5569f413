import { ConvexError } from "convex/values";

/** Machine-readable error codes carried in `ConvexError` data as `{code, message}`. */
export type ErrorCode =
  /** A worker function without the right worker secret, or a wrong callback token. */
  | "UNAUTHORIZED"
  /** The caller names a user that does not own the repository or job. */
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "INVALID_ARGUMENT"
  /** The job is not in a state that allows the call (e.g. canceling a finished job). */
  | "FAILED_PRECONDITION"
  /** Another job of the repository is active. */
  | "CONFLICT"
  | "DOCUMENT_TOO_LARGE"
  | "BATCH_TOO_LARGE"
  /** A checkpoint already holds as many files as it may (convex/checkpoints.ts). */
  | "CHECKPOINT_FULL";

/**
 * A `ConvexError` whose data is `{code, message}`; clients switch on `errorData.code`. Every error a function
 * throws on purpose goes through here: production deployments redact the message of a plain `Error` to
 * "Server Error", but pass a `ConvexError`'s data through.
 */
export function fail(code: ErrorCode, message: string): ConvexError<{ code: ErrorCode; message: string }> {
  return new ConvexError({ code, message });
}
