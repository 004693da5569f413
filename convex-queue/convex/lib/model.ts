import type { Doc } from "../_generated/dataModel";
import { fail } from "./errors";

export type JobStatus = Doc<"jobs">["status"];

/** Statuses in which a worker holds a lease on the job. */
export const LEASED_STATUSES: readonly JobStatus[] = ["claimed", "cloning", "analyzing", "gathering", "running"];
/** Statuses from which no further transition happens. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ["completed", "failed", "canceled", "dead"];
/** Statuses a job is "active" in (for dedupe and "one job per repository"). */
export const ACTIVE_STATUSES: readonly JobStatus[] = ["pending", ...LEASED_STATUSES];
export const ALL_STATUSES: readonly JobStatus[] = [...ACTIVE_STATUSES, ...TERMINAL_STATUSES];

export function isLeased(status: JobStatus): boolean {
  return LEASED_STATUSES.includes(status);
}
export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export const DEFAULT_LEASE_MS = 300_000;
/** A lease longer than a day is a mistake (the analyzer is stopped after an hour). */
export const MAX_LEASE_MS = 86_400_000;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const MAX_MAX_ATTEMPTS = 100;
export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_MAX_MS = 600_000;
export const BACKOFF_JITTER_MS = 5_000;

/**
 * Largest `content` of one document, in UTF-8 bytes. A Convex document is limited to 1 MiB; the
 * other fields and the encoding overhead need some room.
 */
export const MAX_DOCUMENT_CONTENT_BYTES = 900 * 1024;
/**
 * Largest total `content` of one `saveDocuments` call. Arguments are limited to 16 MiB and a
 * transaction reads and writes at most 16 MiB each; replacing documents reads the old ones, so a
 * batch stays well below half of that.
 */
export const MAX_BATCH_CONTENT_BYTES = 8 * 1024 * 1024;
/** Most documents in one `saveDocuments` call (a transaction writes at most 16,000 documents). */
export const MAX_BATCH_FILES = 1_000;

/** The UTF-8 length of a string, without TextEncoder allocation for the common ASCII case. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Refuses a document whose content is over {@link MAX_DOCUMENT_CONTENT_BYTES}, naming its slug;
 * returns the content's UTF-8 length.
 */
export function requireDocumentFits(slug: string, content: string): number {
  const bytes = utf8Length(content);
  if (bytes > MAX_DOCUMENT_CONTENT_BYTES) {
    throw fail(
      "DOCUMENT_TOO_LARGE",
      `document '${slug}' has ${bytes} bytes of content; the limit is ${MAX_DOCUMENT_CONTENT_BYTES} bytes ` +
        `(Convex stores at most 1 MiB per document): split or shorten it`,
    );
  }
  return bytes;
}

/** Backoff after the `attempts`-th spent attempt: `min(5000·2^(attempts-1), 600000) + random·5000`. */
export function backoffMs(attempts: number, random: number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(BACKOFF_BASE_MS * 2 ** exponent, BACKOFF_MAX_MS) + Math.floor(random * BACKOFF_JITTER_MS);
}

/**
 * A random token (128 bits, hex). Convex gives each function execution its own random seed, so
 * tokens of different claims differ.
 */
export function randomToken(): string {
  const bytes = new Uint8Array(16);
  if (typeof crypto !== "undefined" && typeof crypto.getRandomValues === "function") {
    crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  }
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

export function requireLeaseMs(leaseMs: number | undefined): number {
  if (leaseMs === undefined) return DEFAULT_LEASE_MS;
  if (!Number.isFinite(leaseMs) || leaseMs < 1_000 || leaseMs > MAX_LEASE_MS) {
    throw fail("INVALID_ARGUMENT", `leaseMs must be between 1000 and ${MAX_LEASE_MS} ms, was ${leaseMs}`);
  }
  return Math.floor(leaseMs);
}

export function requireNonBlank(name: string, value: string): string {
  if (value.trim().length === 0) {
    throw fail("INVALID_ARGUMENT", `${name} must not be blank`);
  }
  return value;
}

/**
 * A job as queries return it: every field except the secrets and lease internals (`callbackToken`,
 * `leaseToken`, `claimToken`, `completedBy`), plus `id`. See `jobSnapshotValidator`.
 */
export function jobSnapshot(job: Doc<"jobs">) {
  const { callbackToken: _callback, leaseToken: _lease, claimToken: _claim, completedBy: _completer, ...visible } = job;
  return { id: job._id, ...visible };
}

/** Reading order of documents: yaml, chapters, reviewed chapters, tutorials, then the rest. */
export function documentRank(doc: { kind: string; slug: string; title: string }): number {
  switch (doc.kind) {
    case "yaml":
      return 0;
    case "chapter":
      return isReviewed(doc) ? 2 : 1;
    case "tutorial":
      return 3;
    default:
      return 4;
  }
}

function isReviewed(doc: { slug: string; title: string }): boolean {
  return doc.slug.startsWith("reviewed-chapters/") || doc.slug.includes("/reviewed-") || doc.title.startsWith("Reviewed:");
}

export function compareDocuments(
  a: { kind: string; slug: string; title: string; chapterIndex: number },
  b: { kind: string; slug: string; title: string; chapterIndex: number },
): number {
  const rank = documentRank(a) - documentRank(b);
  if (rank !== 0) return rank;
  if (a.chapterIndex !== b.chapterIndex) return a.chapterIndex - b.chapterIndex;
  return a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0;
}
