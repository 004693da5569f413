import { convexTest } from "convex-test";
import { afterEach, describe, expect, test, vi } from "vitest";
import * as legacyDocs from "../src/test/legacy-convex/docs";
import * as legacyJobs from "../src/test/legacy-convex/jobs";
import * as legacyQueue from "../src/test/legacy-convex/queue";
import * as legacyRepositories from "../src/test/legacy-convex/repositories";
import legacySchema from "../src/test/legacy-convex/schema";
import * as legacyUsers from "../src/test/legacy-convex/users";
import { mutationRef, queryRef, useClock } from "./support";

/*
 * The legacy fixture's ARGUMENTS and RETURN SHAPES against a table written from the reference
 * (shared/reference/fondation-system.md §1: "Queue functions", "Worker read functions", "Results", "Exact behaviour
 * of the existing functions"), for every function the worker calls in compatibility mode. A field the reference
 * does not name — a made-up `byStatus`, an extra `lastHour` — fails here, and so does a missing one or a wrong type.
 * The checker is strict on purpose: objects must have exactly the listed fields (optional ones may be absent).
 *
 * Where the reference is silent the table says so (SILENT below) instead of inventing a shape:
 *  - `queue:createJob`'s return value, `jobs:create` (arguments and return), `jobs:requestCancel`'s return value:
 *    not checked here;
 *  - `docs:listByJobId` is not listed by the reference at all; the worker reads a job's documents with it, so its
 *    rows are held to the `docs` table of the reference (as `docs:listByRepository`'s are);
 *  - `docs:upsertFromJob`'s `stats`: held to the `regenerationStats` fields of the `jobs` table, which the reference
 *    says the function writes from the same run.
 */

type Shape =
  | { t: "string" }
  | { t: "iso" } // an ISO-8601 instant as `new Date(ms).toISOString()` writes it
  | { t: "number" }
  | { t: "boolean" }
  | { t: "literal"; value: string | boolean | number }
  | { t: "null" }
  | { t: "id"; table: string }
  | { t: "any" }
  | { t: "object"; fields: Record<string, Shape>; optional?: readonly string[] }
  | { t: "array"; of: Shape }
  | { t: "oneOf"; of: readonly Shape[] }
  | { t: "document"; table: keyof typeof DOCUMENT_FIELDS };

const str: Shape = { t: "string" };
const num: Shape = { t: "number" };
const iso: Shape = { t: "iso" };
const nul: Shape = { t: "null" };
const lit = (value: string | boolean | number): Shape => ({ t: "literal", value });
const id = (table: string): Shape => ({ t: "id", table });
const obj = (fields: Record<string, Shape>, optional: readonly string[] = []): Shape => ({ t: "object", fields, optional });
const oneOf = (...of: Shape[]): Shape => ({ t: "oneOf", of });
const doc = (table: keyof typeof DOCUMENT_FIELDS): Shape => ({ t: "document", table });

/** The fields of each table as the reference lists them (§1 "Convex data model"), plus the system fields. */
const DOCUMENT_FIELDS = {
  jobs: [
    "userId", "repositoryId", "status", "prompt", "callbackToken", "runAt", "attempts", "maxAttempts", "lockedBy",
    "leaseUntil", "dedupeKey", "lastError", "error", "createdAt", "updatedAt", "completedAt", "progress",
    "currentStep", "totalSteps", "result", "docsCount", "cancelRequested", "runId", "regenerationStats",
  ],
  users: ["githubId", "username", "email", "avatarUrl", "githubAccessToken", "createdAt"],
  // The reference ends the list with "..." : the fields it names.
  repositories: ["userId", "githubRepoId", "name", "fullName", "description", "defaultBranch"],
  docs: [
    "jobId", "repositoryId", "slug", "title", "chapterIndex", "kind", "content", "createdAt", "updatedAt", "sourceKey",
    "runId",
  ],
} as const;
const SYSTEM_FIELDS = ["_id", "_creationTime"];

const regenerationStats = obj({ inserted: num, updated: num, skipped: num, rejected: num, deleted: num });

/** One function: its kind, its arguments as the reference names them (`?` = optional), its possible returns. */
interface Row {
  kind: "query" | "mutation" | "internalMutation";
  args: Record<string, "required" | "optional">;
  returns: Shape;
}

/** THE TABLE, written from the reference. */
const REFERENCE: Record<string, Row> = {
  "queue:claimOne": {
    kind: "mutation",
    args: { workerId: "required", leaseMs: "optional" },
    // "`null` or `{id, repositoryId, userId, prompt, callbackToken, attempts}` (`attempts` may be absent on a new job)"
    returns: oneOf(
      nul,
      obj({ id: id("jobs"), repositoryId: id("repositories"), userId: id("users"), prompt: str, callbackToken: str, attempts: num }, ["attempts"]),
    ),
  },
  "queue:heartbeat": {
    kind: "mutation",
    args: {
      jobId: "required", workerId: "required", status: "optional", progress: "optional", currentStep: "optional",
      totalSteps: "optional", leaseMs: "optional",
    },
    returns: obj({ success: lit(true) }),
  },
  "queue:complete": {
    kind: "mutation",
    args: { jobId: "required", workerId: "required", result: "optional", docsCount: "optional" },
    returns: obj({ success: lit(true) }),
  },
  "queue:retryOrFail": {
    kind: "mutation",
    args: { jobId: "required", workerId: "required", error: "required" },
    // "`{status: 'retrying', attempts, nextRunAt}` where nextRunAt is an ISO-8601 string, or `{status: 'dead', attempts}`"
    returns: oneOf(obj({ status: lit("retrying"), attempts: num, nextRunAt: iso }), obj({ status: lit("dead"), attempts: num })),
  },
  "queue:reclaimExpired": { kind: "internalMutation", args: {}, returns: obj({ reclaimed: num, checked: num }) },
  "queue:getMetrics": {
    kind: "query",
    args: {},
    // "returns exactly {counts: {pending, processing, completed, failed, dead}, recentActivity: {total, completed, failed}, timestamp}"
    returns: obj({
      counts: obj({ pending: num, processing: num, completed: num, failed: num, dead: num }),
      recentActivity: obj({ total: num, completed: num, failed: num }),
      timestamp: num,
    }),
  },
  "queue:createJob": {
    kind: "mutation",
    args: { userId: "required", repositoryId: "required", prompt: "required", callbackToken: "required", dedupeKey: "optional" },
    returns: { t: "any" }, // SILENT: the reference does not say what it returns
  },
  "jobs:getJob": { kind: "query", args: { jobId: "required" }, returns: oneOf(nul, doc("jobs")) },
  "repositories:getByRepositoryId": { kind: "query", args: { repositoryId: "required" }, returns: oneOf(nul, doc("repositories")) },
  "users:getUserById": { kind: "query", args: { userId: "required" }, returns: oneOf(nul, doc("users")) },
  "users:getGitHubToken": { kind: "query", args: { githubId: "required" }, returns: oneOf(nul, str) },
  "docs:upsertFromJob": {
    kind: "mutation",
    args: { jobId: "required", repositoryId: "required", runId: "optional", files: "required", summary: "required" },
    returns: obj({ docsCount: num, docIds: { t: "array", of: id("docs") }, stats: regenerationStats }),
  },
  "docs:listByRepository": { kind: "query", args: { repositoryId: "required" }, returns: { t: "array", of: doc("docs") } },
  "docs:listByJobId": { kind: "query", args: { jobId: "required" }, returns: { t: "array", of: doc("docs") } }, // SILENT (see above)
};

/** The `files` items and `summary` of docs:upsertFromJob, as the reference writes them. */
const UPSERT_FILE = { slug: "required", title: "required", chapterIndex: "optional", content: "required", kind: "required" } as const;
const UPSERT_SUMMARY = { chaptersCount: "required", tutorialsCount: "required", generatedAt: "required" } as const;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Throws, naming the path, unless `value` has exactly `shape`. */
function check(shape: Shape, value: unknown, path = "value"): void {
  const fail = (what: string) => {
    throw new Error(`${path}: ${what}, got ${JSON.stringify(value)}`);
  };
  switch (shape.t) {
    case "any":
      return;
    case "string":
      if (typeof value !== "string") fail("expected a string");
      return;
    case "iso":
      if (typeof value !== "string" || !ISO.test(value) || new Date(value).toISOString() !== value) fail("expected an ISO-8601 string");
      return;
    case "number":
      if (typeof value !== "number") fail("expected a number");
      return;
    case "boolean":
      if (typeof value !== "boolean") fail("expected a boolean");
      return;
    case "literal":
      if (value !== shape.value) fail(`expected ${JSON.stringify(shape.value)}`);
      return;
    case "null":
      if (value !== null) fail("expected null");
      return;
    case "id":
      if (typeof value !== "string" || value.length === 0) fail(`expected an id of ${shape.table}`);
      return;
    case "array":
      if (!Array.isArray(value)) fail("expected an array");
      (value as unknown[]).forEach((item, i) => check(shape.of, item, `${path}[${i}]`));
      return;
    case "oneOf": {
      const errors: string[] = [];
      for (const option of shape.of) {
        try {
          check(option, value, path);
          return;
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      fail(`matches none of the reference's shapes (${errors.join("; ")})`);
      return;
    }
    case "document": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) fail(`expected a ${shape.table} document`);
      const allowed = new Set<string>([...DOCUMENT_FIELDS[shape.table], ...SYSTEM_FIELDS]);
      for (const key of Object.keys(value as object)) {
        if (!allowed.has(key)) fail(`field '${key}' is not a field of ${shape.table} in the reference`);
      }
      for (const key of SYSTEM_FIELDS) if (!(key in (value as object))) fail(`the whole document has no ${key}`);
      return;
    }
    case "object": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) fail("expected an object");
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!(key in shape.fields)) fail(`field '${key}' is not in the reference`);
      }
      for (const [key, field] of Object.entries(shape.fields)) {
        if (!(key in record) || record[key] === undefined) {
          if (!(shape.optional ?? []).includes(key)) fail(`field '${key}' is missing`);
          continue;
        }
        check(field, record[key], `${path}.${key}`);
      }
      return;
    }
  }
}

const MODULES: Record<string, Record<string, unknown>> = {
  queue: legacyQueue,
  jobs: legacyJobs,
  docs: legacyDocs,
  users: legacyUsers,
  repositories: legacyRepositories,
};

interface Registered {
  isQuery?: boolean;
  isMutation?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
  exportArgs(): string;
}

function fn(path: string): Registered {
  const [module, name] = path.split(":");
  const found = MODULES[module]?.[name] as Registered | undefined;
  if (found === undefined) throw new Error(`the fixture has no ${path}`);
  return found;
}

/** `{name: required|optional}` of an object validator exported as JSON. */
function fieldsOf(validator: any): Record<string, "required" | "optional"> {
  expect(validator.type).toBe("object");
  return Object.fromEntries(Object.entries(validator.value).map(([name, field]: [string, any]) => [name, field.optional ? "optional" : "required"]));
}

const legacyModules = import.meta.glob("../src/test/legacy-convex/**/*.*s");

afterEach(() => vi.restoreAllMocks());

describe("the checker itself", () => {
  test("rejects the made-up getMetrics shape the fixture once had, a missing field, a wrong type and a numeric nextRunAt", () => {
    const metrics = REFERENCE["queue:getMetrics"].returns;
    expect(() => check(metrics, { byStatus: { pending: 1 }, lastHour: 0, timestamp: 1 })).toThrow(/byStatus/);
    const counts = { pending: 0, processing: 0, completed: 0, failed: 0, dead: 0 };
    const recentActivity = { total: 0, completed: 0, failed: 0 };
    expect(() => check(metrics, { counts, recentActivity, timestamp: 1 })).not.toThrow();
    expect(() => check(metrics, { counts, recentActivity, timestamp: 1, byStatus: {} })).toThrow(/byStatus/);
    expect(() => check(metrics, { counts: { ...counts, dead: undefined }, recentActivity, timestamp: 1 })).toThrow(/dead/);
    expect(() => check(metrics, { counts, recentActivity, timestamp: "1" })).toThrow(/timestamp/);
    const retry = REFERENCE["queue:retryOrFail"].returns;
    expect(() => check(retry, { status: "retrying", attempts: 1, nextRunAt: 1_736_942_400_000 })).toThrow();
    expect(() => check(retry, { status: "retrying", attempts: 1, nextRunAt: "2025-01-15T12:00:00.000Z" })).not.toThrow();
    expect(() => check(REFERENCE["queue:reclaimExpired"].returns, 1)).toThrow();
    expect(() => check(doc("jobs"), { _id: "j", _creationTime: 1, status: "pending", leaseToken: "t" })).toThrow(/leaseToken/);
  });
});

describe("every function the worker calls: kind, visibility and argument names as the reference gives them", () => {
  test.each(Object.keys(REFERENCE))("%s", (path) => {
    const row = REFERENCE[path];
    const registered = fn(path);
    if (row.kind === "query") expect(registered.isQuery, `${path} is a query`).toBe(true);
    else expect(registered.isMutation, `${path} is a mutation`).toBe(true);
    if (row.kind === "internalMutation") expect(registered.isInternal, `${path} is internal`).toBe(true);
    else expect(registered.isPublic, `${path} is public`).toBe(true);
    const args = JSON.parse(registered.exportArgs());
    expect(fieldsOf(args), `${path}'s arguments`).toEqual(row.args);
    if (path === "docs:upsertFromJob") {
      expect(fieldsOf(args.value.files.fieldType.value), "files[]").toEqual(UPSERT_FILE);
      expect(fieldsOf(args.value.summary.fieldType), "summary").toEqual(UPSERT_SUMMARY);
    }
  });

  test("the fixture has no function the reference does not name among the ones the worker calls (no invented helpers)", () => {
    // A public function a worker could be pointed at by mistake must be one the existing deployment has.
    const named = new Set([
      ...Object.keys(REFERENCE),
      // Web-side functions the reference names (module `jobs`), used by the tests as the web app would.
      "jobs:create",
      "jobs:requestCancel",
      "jobs:updateStatus",
      "jobs:listUserJobs",
      // Internal, run by upsertFromJob ("then runs cleanupOldGenerations").
      "docs:cleanupOldGenerations",
    ]);
    const exported: string[] = [];
    for (const [module, exports] of Object.entries(MODULES)) {
      for (const [name, value] of Object.entries(exports)) {
        // Registered Convex functions are the exports that can describe their arguments.
        if (typeof (value as Partial<Registered> | undefined)?.exportArgs === "function") exported.push(`${module}:${name}`);
      }
    }
    expect(exported.filter((path) => !named.has(path))).toEqual([]);
  });
});

describe("every return shape, every branch, against the table", () => {
  test("a job's life as the worker drives it: each answer has exactly the reference's shape", async () => {
    const clock = useClock();
    vi.spyOn(Math, "random").mockReturnValue(0.25);
    const t = convexTest(legacySchema, legacyModules);
    const call = async (path: string, args: Record<string, unknown> = {}): Promise<unknown> => {
      const row = REFERENCE[path];
      const answer = row.kind === "query" ? await t.query(queryRef(path), args) : await t.mutation(mutationRef(path), args);
      check(row.returns, answer, path);
      return answer;
    };
    const { userId, repositoryId } = await t.run(async (ctx) => {
      const userId = await ctx.db.insert("users", { githubId: "7", username: "octo", githubAccessToken: "enc_v1_a:b:c", createdAt: 1 });
      const repositoryId = await ctx.db.insert("repositories", { userId, githubRepoId: "1", name: "demo", fullName: "octo/demo", defaultBranch: "main" });
      return { userId, repositoryId };
    });

    expect(await call("queue:claimOne", { workerId: "w" })).toBeNull();
    expect(await call("queue:getMetrics")).toMatchObject({ counts: { pending: 0 } });
    expect(await call("users:getUserById", { userId })).not.toBeNull();
    expect(await call("users:getGitHubToken", { githubId: "7" })).toBe("enc_v1_a:b:c");
    expect(await call("users:getGitHubToken", { githubId: "nobody" })).toBeNull();
    expect(await call("repositories:getByRepositoryId", { repositoryId })).not.toBeNull();

    // A job as the web app makes it (no attempts), then one from queue:createJob (attempts 0).
    const { jobId } = (await t.mutation(mutationRef("jobs:create"), { userId, repositoryId, prompt: "p" })) as { jobId: string };
    const claimed = (await call("queue:claimOne", { workerId: "w", leaseMs: 1_000 })) as Record<string, unknown>;
    expect(claimed.id).toBe(jobId);
    expect("attempts" in claimed).toBe(false);
    await call("queue:heartbeat", { jobId, workerId: "w", status: "analyzing", progress: "Étape 2/6", currentStep: 2, totalSteps: 6, leaseMs: 1_000 });
    expect(await call("jobs:getJob", { jobId })).toMatchObject({ status: "analyzing" });
    clock.advance(1_000);
    expect(await t.mutation(mutationRef("queue:reclaimExpired"), {})).toEqual({ reclaimed: 1, checked: 1 });
    check(REFERENCE["queue:reclaimExpired"].returns, await t.mutation(mutationRef("queue:reclaimExpired"), {}), "queue:reclaimExpired");
    const again = (await call("queue:claimOne", { workerId: "w" })) as Record<string, unknown>;
    expect(again.attempts).toBe(1);
    const retry = await call("queue:retryOrFail", { jobId, workerId: "w", error: "boom" });
    expect(retry).toMatchObject({ status: "retrying", attempts: 2 });
    clock.advance(60_000);
    await call("queue:claimOne", { workerId: "w" });
    const files = [
      { slug: "step1_abstractions.yaml", title: "Abstractions", content: "[]", kind: "yaml" },
      { slug: "chapters/chapter_1_a.md", title: "Chapter 1", chapterIndex: 1, content: "# A\n", kind: "chapter" },
    ];
    await call("docs:upsertFromJob", { jobId, repositoryId, runId: "r", files, summary: { chaptersCount: 1, tutorialsCount: 0, generatedAt: 5 } });
    await call("queue:complete", { jobId, workerId: "w", result: { success: true, message: "ok" }, docsCount: 2 });
    expect(await call("docs:listByJobId", { jobId })).toHaveLength(2);
    expect(await call("docs:listByRepository", { repositoryId })).toHaveLength(2);
    expect(await call("jobs:getJob", { jobId })).toMatchObject({ status: "completed", runId: "r" });

    const created = await call("queue:createJob", { userId, repositoryId, prompt: "p", callbackToken: "cb" });
    await t.run(async (ctx) => await ctx.db.patch(created as any, { attempts: 4 }));
    await call("queue:claimOne", { workerId: "w" });
    expect(await call("queue:retryOrFail", { jobId: created, workerId: "w", error: "still" })).toEqual({ status: "dead", attempts: 5 });
    const deleted = await t.run(async (ctx) => {
      await ctx.db.delete(created as any);
      return created;
    });
    expect(await call("jobs:getJob", { jobId: deleted })).toBeNull();
    expect(await call("queue:getMetrics")).toMatchObject({ counts: { completed: 1 } });
  });
});
