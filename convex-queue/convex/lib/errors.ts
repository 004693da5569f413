import { ConvexError } from "convex/values";

/** Machine-readable error codes carried in `ConvexError` data as `{code, message}`. */
export type ErrorCode =
  | "UNAUTHORIZED"
  | "NOT_FOUND"
  | "INVALID_ARGUMENT"
  | "DOCUMENT_TOO_LARGE"
  | "BATCH_TOO_LARGE";

/** A `ConvexError` whose data is `{code, message}`; clients switch on `errorData.code`. */
export function fail(code: ErrorCode, message: string): ConvexError<{ code: ErrorCode; message: string }> {
  return new ConvexError({ code, message });
}
