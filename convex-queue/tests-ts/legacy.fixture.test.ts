import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { startTestServer, type RunningTestServer } from "../test-server/app";
import { callFunction, post, value } from "./http";

/*
 * The legacy fixture behaves like the EXISTING deployment, defects included: the Java
 * compatibility mode is tested against it. These tests pin that behaviour.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
let server: RunningTestServer;
let url: string;
let userId: string;
let repositoryId: string;

beforeAll(async () => {
  server = await startTestServer({ functionsDir: join(ROOT, "src/test/legacy-convex"), port: 0, adminKey: "test-admin-key" });
  url = server.url;
});
afterAll(async () => await server.close());
beforeEach(async () => {
  await post(url, "/_test/reset", {});
  userId = (await post(url, "/_test/seed", { table: "users", doc: { githubId: "9", username: "octo", githubAccessToken: "enc_v1_ab:cd:ef", createdAt: 1 } })).body.id;
  repositoryId = (
    await post(url, "/_test/seed", {
      table: "repositories",
      doc: { userId, githubRepoId: "1", name: "demo", fullName: "octo/demo", defaultBranch: "main" },
    })
  ).body.id;
});

async function createAndClaim(workerId = "old-worker") {
  const { jobId, callbackToken } = await value(url, "mutation", "jobs:create", { userId, repositoryId, prompt: "Generate" });
  const claimed = await value(url, "mutation", "queue:claimOne", { workerId, leaseMs: 60_000 });
  return { jobId, callbackToken, claimed };
}

describe("legacy fixture (existing deployment behaviour)", () => {
  test("claimOne needs no secret and returns the old shape", async () => {
    const { jobId, callbackToken, claimed } = await createAndClaim();
    expect(claimed).toEqual({ id: jobId, repositoryId, userId, prompt: "Generate", callbackToken, attempts: 0 });
    expect((await value(url, "query", "jobs:getJob", { jobId })).status).toBe("claimed");
  });

  test("heartbeat throws for a worker that does not hold the job", async () => {
    const { jobId } = await createAndClaim();
    expect(await value(url, "mutation", "queue:heartbeat", { jobId, workerId: "old-worker", status: "running", progress: "p" })).toEqual({ success: true });
    const other = await callFunction(url, "mutation", "queue:heartbeat", { jobId, workerId: "someone-else" });
    expect(other.body).toMatchObject({ status: "error" });
    expect(other.body.errorMessage).toContain("Job not locked by this worker");
  });

  test("complete overwrites a cancellation (the defect the hardened functions fix)", async () => {
    const { jobId } = await createAndClaim();
    await value(url, "mutation", "jobs:requestCancel", { jobId });
    await value(url, "mutation", "queue:complete", { jobId, workerId: "old-worker", result: { success: true } });
    expect((await value(url, "query", "jobs:getJob", { jobId })).status).toBe("completed");
  });

  test("retryOrFail backs off and reclaimExpired returns jobs without counting an attempt", async () => {
    const { jobId } = await createAndClaim();
    const retry = await value(url, "mutation", "queue:retryOrFail", { jobId, workerId: "old-worker", error: "boom" });
    expect(retry).toMatchObject({ status: "retrying", attempts: 1 });
    await post(url, "/_test/clock", { advanceMs: 20_000 });
    await value(url, "mutation", "queue:claimOne", { workerId: "w2", leaseMs: 1_000 });
    await post(url, "/_test/clock", { advanceMs: 5_000 });
    const reclaimed = await post(url, "/_test/run-internal", { path: "queue:reclaimExpired" });
    expect(reclaimed.body.value).toBe(1);
    expect(await value(url, "query", "jobs:getJob", { jobId })).toMatchObject({ status: "pending", attempts: 1 });
  });

  test("worker readers: repository, user, and the encrypted GitHub token for anyone", async () => {
    expect(await value(url, "query", "repositories:getByRepositoryId", { repositoryId })).toMatchObject({ fullName: "octo/demo", defaultBranch: "main" });
    expect(await value(url, "query", "users:getUserById", { userId })).toMatchObject({ githubId: "9" });
    expect(await value(url, "query", "users:getGitHubToken", { githubId: "9" })).toBe("enc_v1_ab:cd:ef");
  });

  test("docs:upsertFromJob stores documents", async () => {
    const { jobId } = await createAndClaim();
    const result = await value(url, "mutation", "docs:upsertFromJob", {
      jobId,
      repositoryId,
      files: [
        { slug: "chapters/chapter_1_a.md", title: "A", chapterIndex: 1, content: "# A\n", kind: "chapter" },
        { slug: "chapters/chapter_2_b.md", title: "B", chapterIndex: 2, content: " ", kind: "chapter" },
      ],
      summary: { chaptersCount: 2, tutorialsCount: 0, generatedAt: 5 },
    });
    expect(result.stats).toEqual({ inserted: 1, updated: 0, skipped: 0, rejected: 1, deleted: 0 });
    expect(await value(url, "query", "docs:listByJobId", { jobId })).toHaveLength(1);
  });

  test("the hardened-only functions do not exist there", async () => {
    const missing = await callFunction(url, "mutation", "queue:release", { jobId: "x", workerId: "w", leaseToken: "t" });
    expect(missing.body.errorMessage).toContain("Could not find public function");
  });
});
