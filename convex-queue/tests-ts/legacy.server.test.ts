import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { startTestServer, type RunningTestServer } from "../test-server/app";
import { callFunction, post, value } from "./http";

/*
 * The legacy fixture (src/test/legacy-convex) behind the test server, as the Java compatibility mode
 * meets it: the facts of the reference (fondation-system.md §1, "Exact behaviour of the existing
 * functions") that show over HTTP. legacy.fixture.test.ts checks each fact in process. (A file of its
 * own: the server installs its clock over Date.now, which the in-process tests mock.)
 */

const NOT_OWNED = "Job not found or not owned by worker";

describe("the legacy fixture behind the test server", () => {
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

  test("claimOne needs no secret and returns the old shape (no attempts on a job the web app created)", async () => {
    const { jobId, callbackToken, claimed } = await createAndClaim();
    expect(claimed).toEqual({ id: jobId, repositoryId, userId, prompt: "Generate", callbackToken });
    expect((await value(url, "query", "jobs:getJob", { jobId })).status).toBe("claimed");
  });

  test("a refused heartbeat is a function error with the exact message", async () => {
    const { jobId } = await createAndClaim();
    expect(await value(url, "mutation", "queue:heartbeat", { jobId, workerId: "old-worker", status: "running", progress: "p" })).toEqual({ success: true });
    const other = await callFunction(url, "mutation", "queue:heartbeat", { jobId, workerId: "someone-else" });
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ status: "error", errorMessage: `Uncaught Error: ${NOT_OWNED}` });
    expect(other.body.errorData).toBeUndefined();
  });

  test("reclaimExpired is hidden from public callers and open to the admin key", async () => {
    await createAndClaim();
    const hidden = await callFunction(url, "mutation", "queue:reclaimExpired", {});
    expect(hidden.body.errorMessage).toContain("Could not find public function");
    await post(url, "/_test/clock", { advanceMs: 61_000 });
    const admin = await callFunction(url, "mutation", "queue:reclaimExpired", {}, { Authorization: "Convex test-admin-key" });
    expect(admin.body).toMatchObject({ status: "success", value: { reclaimed: 1, checked: 1 } });
  });

  test("worker readers: repository, user, and the encrypted GitHub token for anyone", async () => {
    expect(await value(url, "query", "repositories:getByRepositoryId", { repositoryId })).toMatchObject({ fullName: "octo/demo", defaultBranch: "main" });
    expect(await value(url, "query", "users:getUserById", { userId })).toMatchObject({ githubId: "9" });
    expect(await value(url, "query", "users:getGitHubToken", { githubId: "9" })).toBe("enc_v1_ab:cd:ef");
  });

  test("the hardened-only functions do not exist there", async () => {
    const missing = await callFunction(url, "mutation", "queue:release", { jobId: "x", workerId: "w", leaseToken: "t" });
    expect(missing.body.errorMessage).toContain("Could not find public function");
  });
});
