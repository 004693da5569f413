import { convexTest } from "convex-test";
import { makeFunctionReference } from "convex/server";
import { ConvexError } from "convex/values";
import { expect, vi } from "vitest";
import schema from "../convex/schema";

/** Every module under convex/, as convex-test wants it (the `_generated` keys locate the root). */
export const modules = import.meta.glob("../convex/**/*.*s");

export const SECRET = "test-secret";
export const START = Date.UTC(2025, 0, 15, 12, 0, 0);

export type TestConvex = ReturnType<typeof newConvex>;

/** A fresh in-memory deployment with the hardened functions. */
export function newConvex() {
  return convexTest(schema, modules);
}

const ORIGINAL_SECRET = process.env.FONDATION_WORKER_SECRET;

/**
 * Sets FONDATION_WORKER_SECRET as the functions read it, or removes it when `value` is null.
 * (Plain assignment: vi.stubEnv cannot express "unset".)
 */
export function configureSecret(value: string | null = SECRET) {
  if (value === null) delete process.env.FONDATION_WORKER_SECRET;
  else process.env.FONDATION_WORKER_SECRET = value;
}

/** Puts FONDATION_WORKER_SECRET back as it was before the tests. */
export function resetSecret() {
  configureSecret(ORIGINAL_SECRET ?? null);
}

/** A controllable Date.now(), starting at START. */
export function useClock() {
  let now = START;
  vi.spyOn(Date, "now").mockImplementation(() => now);
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

// Function references by path, as a remote client names them.
export const mutationRef = (path: string) => makeFunctionReference<"mutation">(path);
export const queryRef = (path: string) => makeFunctionReference<"query">(path);

/** Calls a mutation by path (e.g. "queue:claimOne"). */
export async function mutate(t: TestConvex, path: string, args: Record<string, unknown> = {}): Promise<any> {
  return await t.mutation(mutationRef(path), args);
}

/** Calls a query by path. */
export async function read(t: TestConvex, path: string, args: Record<string, unknown> = {}): Promise<any> {
  return await t.query(queryRef(path), args);
}

/** Asserts that the promise fails with a ConvexError whose data has this code; returns the data. */
export async function expectConvexError(promise: Promise<unknown>, code: string): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a ConvexError ${code}, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConvexError);
  const data = (error as ConvexError<{ code: string; message: string }>).data;
  expect(data.code).toBe(code);
  expect(typeof data.message).toBe("string");
  return data;
}

/** Enqueues a job for a URL source with the worker secret. */
export async function enqueue(t: TestConvex, extra: Record<string, unknown> = {}): Promise<string> {
  return await mutate(t, "queue:enqueue", {
    source: { url: "https://example.test/repo.git" },
    prompt: "analyze",
    workerSecret: SECRET,
    ...extra,
  });
}

/** Claims the next job as `workerId`. */
export async function claim(t: TestConvex, workerId = "worker-a", extra: Record<string, unknown> = {}): Promise<any> {
  return await mutate(t, "queue:claimOne", { workerId, workerSecret: SECRET, ...extra });
}

/** Reads the stored job row directly (with every field, tokens included). */
export async function row(t: TestConvex, jobId: string): Promise<any> {
  return await t.run(async (ctx) => await ctx.db.get(jobId as any));
}

/** Inserts a user and a repository the way the web app does; returns their ids. */
export async function seedUserAndRepository(t: TestConvex, token = "enc_v1_00:11:22") {
  return await t.run(async (ctx) => {
    const userId = await ctx.db.insert("users", {
      githubId: "1001",
      username: "octo",
      githubAccessToken: token,
      createdAt: Date.now(),
    });
    const repositoryId = await ctx.db.insert("repositories", {
      userId,
      githubRepoId: "42",
      name: "demo",
      fullName: "octo/demo",
      defaultBranch: "main",
    });
    return { userId, repositoryId };
  });
}

/** Runs an internal mutation by path (e.g. "queue:reclaimExpired"). */
export async function runInternal(t: TestConvex, path: string, args: Record<string, unknown> = {}): Promise<any> {
  return await t.mutation(mutationRef(path), args);
}
