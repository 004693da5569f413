import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { ConvexError } from "convex/values";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import { startTestServer, type RunningTestServer } from "../test-server/app";
import { post, value } from "./http";
import { configureSecret, resetSecret } from "./support";

/*
 * The test server's sync protocol, checked by the official Convex client (convex/browser) as a peer: if
 * the official client subscribes, sees pushed updates and recovers from a restart against it, the Java
 * client's tests against the same server test the real protocol.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SECRET = "test-secret";
const watchRef = makeFunctionReference<"query">("queue:watch");
const enqueueRef = makeFunctionReference<"mutation">("queue:enqueue");

let server: RunningTestServer;
let client: ConvexClient | null = null;

const start = (port = 0) => startTestServer({ functionsDir: join(ROOT, "convex"), port, adminKey: "test-admin-key" });

beforeAll(async () => {
  configureSecret();
  server = await start();
});
afterAll(async () => {
  await server.close();
  resetSecret();
});
beforeEach(async () => {
  await post(server.url, "/_test/reset", {});
});
afterEach(async () => {
  await client?.close();
  client = null;
});

function officialClient(): ConvexClient {
  // Node 20 has no global WebSocket: the official client takes ws's.
  client = new ConvexClient(server.url, {
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    skipConvexDeploymentUrlCheck: true,
    unsavedChangesWarning: false,
  });
  return client;
}

/** Values of a subscription, and a bounded wait for one that matches. */
class Values<T> {
  readonly seen: T[] = [];
  readonly errors: Error[] = [];
  private waiters: (() => void)[] = [];
  push(value: T) {
    this.seen.push(value);
    this.wakeAll();
  }
  fail(error: Error) {
    this.errors.push(error);
    this.wakeAll();
  }
  private wakeAll() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
  async until(predicate: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.seen.find(predicate);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; seen ${JSON.stringify(this.seen)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

type Watch = { pending: number; nextRunAt: number | null };

function subscribe(convex: ConvexClient, args: Record<string, unknown> = { workerSecret: SECRET }): Values<Watch> {
  const values = new Values<Watch>();
  convex.onUpdate(watchRef, args, (v: Watch) => values.push(v), (e: Error) => values.fail(e));
  return values;
}

const enqueueOverHttp = () =>
  value(server.url, "mutation", "queue:enqueue", { source: { fullName: "octo/demo" }, prompt: "p", workerSecret: SECRET });

describe("the official Convex client against the test server", () => {
  test("subscribes and is pushed the new result after an HTTP mutation", async () => {
    const values = subscribe(officialClient());
    await values.until((v) => v.pending === 0, "the first result");
    await enqueueOverHttp();
    expect((await values.until((v) => v.pending === 1, "the pushed update")).nextRunAt).toBeGreaterThan(0);
  });

  test("runs mutations over the socket, and their effect is pushed", async () => {
    const convex = officialClient();
    const values = subscribe(convex);
    await values.until((v) => v.pending === 0, "the first result");
    const id = await convex.mutation(enqueueRef, { source: { url: "https://example.test/r.git" }, prompt: "p", workerSecret: SECRET });
    expect(typeof id).toBe("string");
    await values.until((v) => v.pending === 1, "the update after a socket mutation");
    // A failing mutation rejects with its ConvexError data.
    const error = await convex.mutation(enqueueRef, { source: {}, prompt: "p", workerSecret: SECRET }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvexError);
    expect((error as ConvexError<{ code: string }>).data.code).toBe("INVALID_ARGUMENT");
  });

  test("a failing query reaches the subscriber's error callback with its ConvexError data", async () => {
    const values = subscribe(officialClient(), { workerSecret: "wrong" });
    await expect.poll(() => values.errors.length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(values.errors[0]).toBeInstanceOf(ConvexError);
    expect((values.errors[0] as ConvexError<{ code: string }>).data.code).toBe("UNAUTHORIZED");
  });

  test("survives a server restart: reconnects, subscribes again, and sees the new server's data", async () => {
    const values = subscribe(officialClient());
    await enqueueOverHttp();
    await values.until((v) => v.pending === 1, "the update before the restart");
    const port = server.port;
    await server.close();
    server = await start(port);
    // A fresh database behind the same URL: the re-subscribed query answers from it.
    values.seen.length = 0;
    await values.until((v) => v.pending === 0, "the result after the restart", 25_000);
    await enqueueOverHttp();
    await values.until((v) => v.pending === 1, "an update after the restart");
  }, 40_000);
});
