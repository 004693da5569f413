import { afterEach, describe, expect, test, vi } from "vitest";
import {
  SECRET,
  claim,
  configureSecret,
  enqueue,
  expectConvexError,
  mutate,
  newConvex,
  read,
  seedUserAndRepository,
  useClock,
  type TestConvex,
  resetSecret,
} from "./support";

afterEach(() => {
  resetSecret();
  vi.restoreAllMocks();
});

type Owner = { userId: string; repositoryId: string };

const FINGERPRINT = "sha256:00112233445566778899aabbccddeeff";

/** Every worker function with valid arguments apart from the secret. */
function workerCalls(jobId: string, owner: Owner): [kind: "mutation" | "query", path: string, args: Record<string, unknown>][] {
  const lease = { jobId, workerId: "worker-a", leaseToken: "t" };
  const basis = {
    commit: "0123456789abcdef0123456789abcdef01234567",
    analyzerKind: "dry-run",
    analyzerVersion: "1",
    model: "",
    promptFingerprint: `sha256:${"0".repeat(64)}`,
  };
  return [
    ["mutation", "queue:claimOne", { workerId: "worker-a" }],
    ["mutation", "queue:heartbeat", lease],
    ["mutation", "queue:complete", lease],
    ["mutation", "queue:retryOrFail", { ...lease, error: "e" }],
    ["mutation", "queue:release", lease],
    ["mutation", "queue:saveDocuments", { ...lease, files: [] }],
    ["mutation", "queue:enqueue", { source: { url: "u" }, prompt: "p" }],
    ["mutation", "queue:cancel", { jobId }],
    ["query", "queue:getJob", { jobId }],
    ["query", "queue:listJobs", {}],
    ["query", "queue:listDocuments", { jobId }],
    ["query", "users:getGitHubToken", { githubId: "1001" }],
    ["query", "queue:getMetrics", {}],
    ["mutation", "queue:createJob", { ...owner, prompt: "p", callbackToken: "cb" }],
    ["mutation", "queue:recordPause", { credential: FINGERPRINT, kind: "rate_limit", workerId: "worker-a" }],
    ["mutation", "queue:clearPause", { credential: FINGERPRINT, workerId: "worker-a" }],
    ["mutation", "queue:releaseRateLimited", { ...lease, credential: FINGERPRINT, kind: "overloaded", error: "e" }],
    ["query", "queue:getPause", { credential: FINGERPRINT }],
    ["query", "queue:listPauses", { since: 0 }],
    ["mutation", "checkpoints:open", lease],
    ["query", "checkpoints:read", { jobId }],
    ["query", "checkpoints:files", { jobId, checkpointId: "c" }],
    ["mutation", "checkpoints:save", { ...lease, fence: "lease", basis, path: "a.md", content: "# A" }],
    ["mutation", "checkpoints:remove", { ...lease, paths: [] }],
    ["mutation", "checkpoints:finish", { ...lease, fence: "lease", basis, paths: [] }],
    [
      "mutation",
      "docs:upsertFromJob",
      { jobId, repositoryId: owner.repositoryId, files: [], summary: { chaptersCount: 0, tutorialsCount: 0, generatedAt: 1 } },
    ],
  ];
}

async function call(t: TestConvex, kind: "mutation" | "query", path: string, args: Record<string, unknown>) {
  return kind === "mutation" ? await mutate(t, path, args) : await read(t, path, args);
}

async function aJob(t: TestConvex): Promise<{ jobId: string; owner: Owner }> {
  configureSecret();
  const jobId = await enqueue(t);
  const owner = await seedUserAndRepository(t);
  resetSecret();
  return { jobId, owner };
}

describe("worker functions need the worker secret", () => {
  test.each([
    ["missing", undefined, /needs the workerSecret/],
    ["wrong", "not-the-secret", /does not match/],
  ])("%s secret → UNAUTHORIZED for every worker function", async (_name, given, message) => {
    useClock();
    const t = newConvex();
    const { jobId, owner } = await aJob(t);
    configureSecret();
    for (const [kind, path, args] of workerCalls(jobId, owner)) {
      const withSecret = given === undefined ? args : { ...args, workerSecret: given };
      const error = await expectConvexError(call(t, kind, path, withSecret), "UNAUTHORIZED");
      expect(error.message, path).toMatch(message);
      expect(error.message, path).not.toContain(SECRET);
    }
  });

  test("an unset FONDATION_WORKER_SECRET closes the worker functions (even with a secret given)", async () => {
    useClock();
    const t = newConvex();
    const { jobId, owner } = await aJob(t);
    for (const value of [null, ""]) {
      configureSecret(value);
      for (const [kind, path, args] of workerCalls(jobId, owner)) {
        const error = await expectConvexError(call(t, kind, path, { ...args, workerSecret: SECRET }), "UNAUTHORIZED");
        expect(error.message, path).toContain("FONDATION_WORKER_SECRET");
      }
    }
  });

  test("the right secret opens them", async () => {
    useClock();
    const t = newConvex();
    configureSecret();
    await enqueue(t);
    expect(await claim(t)).not.toBeNull();
  });
});

describe("web functions work without a secret and never expose tokens", () => {
  test("create, read, cancel, capabilities (and metrics only for workers)", async () => {
    useClock();
    const t = newConvex();
    // No FONDATION_WORKER_SECRET at all: the web app keeps working.
    const { userId, repositoryId } = await seedUserAndRepository(t, "enc_v1_aa:bb:cc");
    const { jobId, callbackToken } = await mutate(t, "jobs:create", { userId, repositoryId, prompt: "p" });
    expect(typeof callbackToken).toBe("string");

    const job = await read(t, "jobs:getJob", { jobId });
    expect(job).toMatchObject({ _id: jobId, status: "pending", prompt: "p" });
    const listed = await read(t, "jobs:listUserJobs", { userId });
    const byRepo = await read(t, "jobs:getJobByRepository", { repositoryId });
    for (const snapshot of [job, listed[0], byRepo]) {
      for (const secret of ["callbackToken", "leaseToken", "claimToken"]) expect(snapshot).not.toHaveProperty(secret);
    }

    const user = await read(t, "users:getUserById", { userId });
    expect(user).toMatchObject({ _id: userId, githubId: "1001", username: "octo" });
    expect(user).not.toHaveProperty("githubAccessToken");
    expect(JSON.stringify(await read(t, "users:getUserByGithubId", { githubId: "1001" }))).not.toContain("enc_v1_");
    expect(await read(t, "repositories:getByRepositoryId", { repositoryId })).toMatchObject({ fullName: "octo/demo" });

    // Contract change: queue:getMetrics is a worker/operator function now (it reads thousands of rows).
    await expectConvexError(read(t, "queue:getMetrics"), "UNAUTHORIZED");
    expect(await read(t, "queue:capabilities")).toMatchObject({ version: 3 });
    expect(await mutate(t, "jobs:requestCancel", { jobId })).toEqual({ success: true });
    expect(await read(t, "docs:listByRepository", { repositoryId })).toEqual([]);
  });

  test("the worker reads the encrypted GitHub token with the secret", async () => {
    useClock();
    const t = newConvex();
    configureSecret();
    await seedUserAndRepository(t, "enc_v1_aa:bb:cc");
    expect(await read(t, "users:getGitHubToken", { githubId: "1001", workerSecret: SECRET })).toBe("enc_v1_aa:bb:cc");
    expect(await read(t, "users:getGitHubToken", { githubId: "404", workerSecret: SECRET })).toBeNull();
  });

  test("the claim result is the only place a worker sees the callback token", async () => {
    useClock();
    const t = newConvex();
    configureSecret();
    const id = await enqueue(t);
    const claimed = await claim(t);
    expect(claimed.callbackToken).toMatch(/^[0-9a-f]{32}$/);
    const everything = JSON.stringify([
      await read(t, "queue:getJob", { jobId: id, workerSecret: SECRET }),
      await read(t, "queue:listJobs", { workerSecret: SECRET }),
      await read(t, "jobs:getJob", { jobId: id }),
      await read(t, "queue:getMetrics", { workerSecret: SECRET }),
    ]);
    expect(everything).not.toContain(claimed.callbackToken);
    expect(everything).not.toContain(claimed.leaseToken);
  });
});

describe("what the web-facing functions check without credentials", () => {
  test("a job's user must own its repository (the worker clones it with that user's token)", async () => {
    useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const stranger = await t.run(async (ctx) => await ctx.db.insert("users", { githubId: "666", username: "eve", createdAt: 1 }));
    const refused = await expectConvexError(mutate(t, "jobs:create", { userId: stranger, repositoryId, prompt: "p" }), "FORBIDDEN");
    expect(refused.message).toContain("another user");
    await expectConvexError(mutate(t, "jobs:regenerate", { userId: stranger, repositoryId }), "FORBIDDEN");
    configureSecret();
    await expectConvexError(
      mutate(t, "queue:createJob", { userId: stranger, repositoryId, prompt: "p", callbackToken: "cb", workerSecret: SECRET }),
      "FORBIDDEN",
    );
    expect((await mutate(t, "jobs:regenerate", { repositoryId })).jobId, "the owner by default").toBeTypeOf("string");
    await expectConvexError(mutate(t, "jobs:create", { userId, repositoryId, prompt: "p" }), "CONFLICT");
  });

  test("refusals are ConvexErrors with codes, which production deployments do not redact", async () => {
    useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const { jobId } = await mutate(t, "jobs:create", { userId, repositoryId, prompt: "p" });
    const other = await t.run(async (ctx) => await ctx.db.insert("users", { githubId: "7", username: "x", createdAt: 1 }));
    await expectConvexError(mutate(t, "jobs:updateStatus", { jobId, status: "failed", callbackToken: "wrong" }), "UNAUTHORIZED");
    await expectConvexError(mutate(t, "jobs:cancelJob", { jobId, userId: other }), "FORBIDDEN");
    expect(await mutate(t, "jobs:cancelJob", { jobId, userId })).toEqual({ success: true, jobId });
    await expectConvexError(mutate(t, "jobs:requestCancel", { jobId }), "FAILED_PRECONDITION");
    await t.run(async (ctx) => await ctx.db.delete("jobs", jobId));
    await expectConvexError(mutate(t, "jobs:requestCancel", { jobId }), "NOT_FOUND");
  });

  test("the worker's lookups answer the web app without a secret and refuse a wrong one", async () => {
    useClock();
    const t = newConvex();
    configureSecret();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    expect(await read(t, "users:getUserById", { userId })).toMatchObject({ githubId: "1001" });
    expect(await read(t, "users:getUserById", { userId, workerSecret: SECRET })).toMatchObject({ githubId: "1001" });
    await expectConvexError(read(t, "users:getUserById", { userId, workerSecret: "wrong" }), "UNAUTHORIZED");
    expect(await read(t, "repositories:getByRepositoryId", { repositoryId, workerSecret: SECRET })).toMatchObject({ fullName: "octo/demo" });
    await expectConvexError(read(t, "repositories:getByRepositoryId", { repositoryId, workerSecret: "wrong" }), "UNAUTHORIZED");
  });
});

describe("every function declares what it returns", () => {
  const convexModules = import.meta.glob("../convex/*.ts");
  test("a returns validator on each query, mutation and action", async () => {
    const missing: string[] = [];
    let count = 0;
    for (const [path, load] of Object.entries(convexModules)) {
      if (path.endsWith("schema.ts") || path.endsWith("crons.ts")) continue;
      for (const [name, fn] of Object.entries((await load()) as Record<string, unknown>)) {
        const registered = fn as { isQuery?: boolean; isMutation?: boolean; isAction?: boolean; exportReturns?: () => string };
        if (!(registered?.isQuery || registered?.isMutation || registered?.isAction)) continue;
        count++;
        if (registered.exportReturns === undefined || JSON.parse(registered.exportReturns()) === null) missing.push(`${path}:${name}`);
      }
    }
    expect(count).toBeGreaterThanOrEqual(40);
    expect(missing).toEqual([]);
  });
});
