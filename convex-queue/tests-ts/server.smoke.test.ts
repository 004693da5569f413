import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { callFunction, post, value } from "./http";

/*
 * Starts the real server process the way the Java LocalConvexServer does (node + tsx, stdin piped)
 * and talks to it over loopback HTTP.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
let child: ChildProcessWithoutNullStreams;
let baseUrl: string;
let stderr = "";

function startServer(functions: string): Promise<{ child: ChildProcessWithoutNullStreams; port: number }> {
  const process_ = spawn(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "test-server/server.ts", "--functions", functions, "--port", "0"], {
    cwd: ROOT,
    env: { ...process.env, FONDATION_WORKER_SECRET: "test-secret", CONVEX_TEST_ADMIN_KEY: "smoke-admin-key" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  process_.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port line within 20 s; stderr: ${stderr}`)), 20_000);
    const lines = createInterface({ input: process_.stdout });
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve({ child: process_, port: JSON.parse(line).listening });
    });
    process_.once("exit", (code) => reject(new Error(`server exited with ${code}; stderr: ${stderr}`)));
  });
}

beforeAll(async () => {
  const started = await startServer("hardened");
  child = started.child;
  baseUrl = `http://127.0.0.1:${started.port}`;
});

afterAll(() => {
  if (child.exitCode === null) child.kill("SIGTERM");
});

describe("test server process", () => {
  test("prints one port line and serves the functions with Convex-encoded values", async () => {
    expect(await value(baseUrl, "query", "queue:capabilities")).toMatchObject({ api: "fondation-queue", version: 3 });

    const jobId = await value(baseUrl, "mutation", "queue:enqueue", {
      source: { url: "https://example.test/r.git" },
      prompt: "p",
      workerSecret: "test-secret",
    });
    const claimed = await value(baseUrl, "mutation", "queue:claimOne", { workerId: "smoke", workerSecret: "test-secret" });
    expect(claimed.id).toBe(jobId);

    // A NaN travels as {"$float": base64 of the 8 little-endian IEEE-754 bytes}, both ways.
    const nan = { $float: Buffer.from(new Float64Array([NaN]).buffer).toString("base64") };
    const beat = await callFunction(baseUrl, "mutation", "queue:heartbeat", {
      jobId,
      workerId: "smoke",
      leaseToken: claimed.leaseToken,
      currentStep: nan,
      workerSecret: "test-secret",
    });
    expect(beat.body).toMatchObject({ status: "success", value: { leaseHeld: true } });
    const job = await value(baseUrl, "query", "queue:getJob", { jobId, workerSecret: "test-secret" });
    expect(job.currentStep).toEqual({ $float: "AAAAAAAA+H8=" });

    // An int64 where a float64 is expected fails validation, as on a real deployment.
    const wrong = await callFunction(baseUrl, "mutation", "queue:heartbeat", {
      jobId,
      workerId: "smoke",
      currentStep: { $integer: "AQAAAAAAAAA=" },
      workerSecret: "test-secret",
    });
    expect(wrong.status).toBe(200);
    expect(wrong.body.status).toBe("error");
    expect(wrong.body.errorMessage).toContain("ArgumentValidationError");
  });

  test("function errors carry errorData; request errors are non-2xx", async () => {
    const refused = await callFunction(baseUrl, "mutation", "queue:claimOne", { workerId: "w", workerSecret: "wrong" });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ status: "error", errorData: { code: "UNAUTHORIZED" } });

    expect((await post(baseUrl, "/api/mutation", "{not json")).status).toBe(400);
    const badKey = await callFunction(baseUrl, "mutation", "queue:reclaimExpired", {}, { Authorization: "Convex wrong" });
    expect(badKey).toMatchObject({ status: 401, body: { code: "BadAdminKey" } });
    const admin = await callFunction(baseUrl, "mutation", "queue:reclaimExpired", {}, { Authorization: "Convex smoke-admin-key" });
    expect(admin.body).toMatchObject({ status: "success", value: { reclaimed: 0 } });
  });

  test("exits when its stdin closes", async () => {
    const extra = await startServer("legacy");
    const exited = once(extra.child, "exit");
    extra.child.stdin.end();
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
