import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

/**
 * The Fondation data model: the tables of the existing deployment (`users`, `repositories`,
 * `jobs`, `docs`, `jobLogs`) with every existing field kept as it was, plus OPTIONAL fields the
 * hardened queue uses. Existing documents therefore still validate, and the web app keeps reading
 * what it read before.
 *
 * Loosened compared with the existing schema (see docs/convex-functions.md):
 * - `jobs.userId` / `jobs.repositoryId` are optional: `queue:enqueue` creates jobs from a bare
 *   clone source (CLI, tests) that belong to no user or repository.
 * - `docs.repositoryId` is optional for the documents of such jobs.
 */

export const jobStatus = v.union(
  v.literal("pending"),
  v.literal("claimed"),
  v.literal("cloning"),
  v.literal("analyzing"),
  v.literal("gathering"),
  v.literal("running"),
  v.literal("completed"),
  v.literal("failed"),
  v.literal("canceled"),
  v.literal("dead"),
);

/** The statuses a worker reports while it works (heartbeat `status`). */
export const workPhase = v.union(
  v.literal("cloning"),
  v.literal("analyzing"),
  v.literal("gathering"),
  v.literal("running"),
);

export const jobResult = v.union(
  v.object({
    success: v.boolean(),
    message: v.optional(v.string()),
    data: v.optional(v.string()),
  }),
  v.string(),
  v.null(),
);

export const docKind = v.union(
  v.literal("chapter"),
  v.literal("tutorial"),
  v.literal("toc"),
  v.literal("yaml"),
);

/** One generated document as a worker sends it (`queue:saveDocuments`, `docs:upsertFromJob`). */
export const documentFile = v.object({
  slug: v.string(),
  title: v.string(),
  chapterIndex: v.optional(v.number()),
  content: v.string(),
  kind: docKind,
});

/** What a checkpoint's files were made from (see convex/checkpoints.ts). */
export const checkpointBasis = v.object({
  commit: v.string(),
  analyzerKind: v.string(),
  analyzerVersion: v.string(),
  model: v.string(),
  promptFingerprint: v.string(),
});

export const cloneSource = v.object({
  url: v.optional(v.string()),
  fullName: v.optional(v.string()),
  branch: v.optional(v.string()),
});

export default defineSchema({
  users: defineTable({
    githubId: v.string(),
    username: v.string(),
    email: v.optional(v.string()),
    avatarUrl: v.optional(v.string()),
    // Encrypted by the web app (enc_v1_..., legacy obf_...); never returned by public functions.
    githubAccessToken: v.optional(v.string()),
    createdAt: v.number(),
  }).index("by_github_id", ["githubId"]),

  repositories: defineTable({
    userId: v.id("users"),
    githubRepoId: v.string(),
    name: v.string(),
    fullName: v.string(),
    description: v.optional(v.string()),
    defaultBranch: v.string(),
  })
    .index("by_user", ["userId"])
    .index("by_full_name", ["fullName"]),

  jobs: defineTable({
    userId: v.optional(v.id("users")),
    repositoryId: v.optional(v.id("repositories")),
    repositoryUrl: v.optional(v.string()),
    branch: v.optional(v.string()),
    status: jobStatus,
    prompt: v.string(),
    callbackToken: v.string(),
    createdAt: v.number(),
    updatedAt: v.optional(v.number()),
    progress: v.optional(v.string()),
    currentStep: v.optional(v.number()),
    totalSteps: v.optional(v.number()),
    result: v.optional(jobResult),
    error: v.optional(v.string()),
    docsCount: v.optional(v.number()),
    completedAt: v.optional(v.number()),
    cancelRequested: v.optional(v.boolean()),
    runId: v.optional(v.string()),
    regenerationStats: v.optional(
      v.object({
        inserted: v.number(),
        updated: v.number(),
        skipped: v.number(),
        rejected: v.number(),
        deleted: v.number(),
      }),
    ),
    attempts: v.optional(v.number()),
    maxAttempts: v.optional(v.number()),
    lockedBy: v.optional(v.string()),
    leaseUntil: v.optional(v.number()),
    dedupeKey: v.optional(v.string()),
    runAt: v.optional(v.number()),
    lastError: v.optional(v.string()),

    // --- Added by the hardened queue (all optional) ---
    /** Fencing token of the current lease; a fresh random string per claim. Never returned publicly. */
    leaseToken: v.optional(v.string()),
    /** Client-generated token of the claim that took the current lease (lost-response retries). */
    claimToken: v.optional(v.string()),
    /**
     * The lease token (or, for the old argument shape, the worker id) that completed the job, so that
     * a repeated `complete` is recognised as the same holder's and a stale holder's is not.
     */
    completedBy: v.optional(v.string()),
    /** What to clone when the job has no repository (queue:enqueue). */
    source: v.optional(cloneSource),
    /** When the current (or last) attempt was claimed; average duration is measured from here. */
    startedAt: v.optional(v.number()),
    /** Last heartbeat of the current holder. */
    heartbeatAt: v.optional(v.number()),

    // --- Fair claims, budgets and rate-limit releases (issue 22; all optional) ---
    /**
     * Whose turn the job waits for: the job's user id, the `user` given to `queue:enqueue`, or "anonymous". Set
     * when the job is created, or when a claim adopts a row that other code inserted; absent only on such rows.
     */
    userKey: v.optional(v.string()),
    /** Higher first among one user's due jobs (an integer, -1000..1000; 0 when absent). */
    priority: v.optional(v.number()),
    /** What the job's attempts cost so far, in US dollars, as the workers reported it. */
    costUsd: v.optional(v.number()),
    /** The most the job's attempts may cost together, in US dollars (the job's own cap). */
    maxCostUsd: v.optional(v.number()),
    /** The cap in force since the last claim: `maxCostUsd`, or the claiming worker's default. */
    costLimitUsd: v.optional(v.number()),
    /** How often the job was given back because the LLM answered with a rate limit or an overload (no attempt spent). */
    rateLimitedReleases: v.optional(v.number()),
  })
    .index("by_user", ["userId"])
    // An index of the existing deployment that the web app may query; it sorts a repository's jobs by creation.
    // eslint-disable-next-line @convex-dev/no-duplicate-indexes
    .index("by_repository", ["repositoryId"])
    .index("by_repository_status", ["repositoryId", "status"])
    // Newest first by creation within a status (queue:listJobs, queue:getMetrics); by_status_runAt sorts by runAt.
    // eslint-disable-next-line @convex-dev/no-duplicate-indexes
    .index("by_status", ["status"])
    .index("by_status_runAt", ["status", "runAt"])
    .index("by_status_completedAt", ["status", "completedAt"])
    .index("by_leaseUntil", ["leaseUntil"])
    .index("by_dedupeKey", ["dedupeKey"])
    .index("by_claimToken", ["claimToken"])
    // Fair claims: a user's pending jobs, highest priority first (read descending) then earliest runAt; the
    // rows without userKey are the ones to adopt.
    .index("by_status_user_priority_runAt", ["status", "userKey", "priority", "runAt"])
    // The earliest runAt among a user's pending jobs (when the user's turn comes), and its due job whatever the priority.
    .index("by_status_user_runAt", ["status", "userKey", "runAt"])
    // A user's held jobs (MAX_RUNNING_PER_USER): the lock is cleared whenever a job stops being held.
    .index("by_user_leaseUntil", ["userKey", "leaseUntil"]),

  /**
   * One row per user key that has ever had a job: whether it has pending jobs, the earliest runAt among them, and
   * when a job of it was last claimed. `claimOne` takes turns in `by_turn` order (issue 22).
   */
  queueLanes: defineTable({
    userKey: v.string(),
    /** Whether the user has pending jobs (then `nextDueAt` is the earliest runAt among them). */
    waiting: v.boolean(),
    nextDueAt: v.optional(v.number()),
    /**
     * When a job of this user was last claimed (0: never); claims in the same millisecond get increasing values,
     * so that turns stay strict under bursts.
     */
    lastClaimAt: v.number(),
    updatedAt: v.number(),
  })
    .index("by_user", ["userKey"])
    // The latest claim of all: the next claim stamps its lane after it.
    .index("by_lastClaimAt", ["lastClaimAt"])
    // Whose turn: users with pending jobs, the one whose last claim is oldest first, ties by the oldest waiting job.
    .index("by_turn", ["waiting", "lastClaimAt", "nextDueAt"]),

  /**
   * A pause of every claim for one LLM credential, identified by its fingerprint (never the secret), after the
   * analyzer met a rate limit (429) or an overload (529). See lib/pauses.ts.
   */
  llmPauses: defineTable({
    /** The credential's fingerprint, e.g. `sha256:0f3a…` (lowercase hex): what workers claim with. */
    credential: v.string(),
    kind: v.union(v.literal("rate_limit"), v.literal("overloaded")),
    /** No claim for this credential before this time (ms epoch). */
    until: v.number(),
    /** Limits met in a row, each after the pause before it ended: the pause doubles with each. */
    strikes: v.number(),
    /** The retry-after the API gave with the last limit, in ms, when it gave one. */
    retryAfterMs: v.optional(v.number()),
    /** When the first limit of this streak was recorded. */
    since: v.number(),
    updatedAt: v.number(),
    /** The worker that recorded the last limit. */
    recordedBy: v.string(),
    /** After `until`, one claim probes the API: no other claim for the credential until this time. */
    probeUntil: v.optional(v.number()),
    probeBy: v.optional(v.string()),
    probeJobId: v.optional(v.id("jobs")),
  })
    .index("by_credential", ["credential"])
    .index("by_until", ["until"]),

  docs: defineTable({
    jobId: v.id("jobs"),
    repositoryId: v.optional(v.id("repositories")),
    slug: v.string(),
    title: v.string(),
    chapterIndex: v.number(),
    kind: docKind,
    content: v.string(),
    createdAt: v.number(),
    updatedAt: v.optional(v.number()),
    sourceKey: v.optional(v.string()),
    runId: v.optional(v.string()),
    normalizedAt: v.optional(v.number()),
  })
    // An index of the existing deployment that the web app may query (insertion order of a job's documents).
    // eslint-disable-next-line @convex-dev/no-duplicate-indexes
    .index("by_job", ["jobId"])
    .index("by_job_slug", ["jobId", "slug"])
    .index("by_repository", ["repositoryId"])
    .index("by_source_key", ["sourceKey"]),

  // --- Added for resumable analyses (convex/checkpoints.ts); never read by the web app ---

  /**
   * One per job that has a checkpoint: what its files were made from, the lease that last opened or wrote it
   * (`holderToken`, never returned), whether an analysis finished with exactly these files, and their paths (so a
   * read or a finish never has to load the files). A new basis makes a new row: files never mix inputs.
   */
  checkpoints: defineTable({
    jobId: v.id("jobs"),
    holderToken: v.string(),
    basis: v.optional(checkpointBasis),
    finished: v.boolean(),
    paths: v.array(v.string()),
    bytes: v.number(),
    updatedAt: v.number(),
  })
    .index("by_job", ["jobId"])
    .index("by_updatedAt", ["updatedAt"]),

  /** One per checkpointed output file (≤ 900 KiB of content, within the 1 MiB document limit). */
  checkpointFiles: defineTable({
    checkpointId: v.id("checkpoints"),
    jobId: v.id("jobs"),
    path: v.string(),
    content: v.string(),
    bytes: v.number(),
    savedAt: v.number(),
  }).index("by_checkpoint_path", ["checkpointId", "path"]),

  jobLogs: defineTable({
    jobId: v.id("jobs"),
    ts: v.number(),
    seq: v.number(),
    level: v.union(v.literal("info"), v.literal("error")),
    msg: v.string(),
  }).index("by_job", ["jobId", "seq"]),
});
