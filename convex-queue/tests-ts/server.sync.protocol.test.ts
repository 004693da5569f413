import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import { startTestServer, type RunningTestServer } from "../test-server/app";
import { decodeTs, encodeTs } from "../test-server/sync";
import { post, value } from "./http";
import { configureSecret, resetSecret } from "./support";

/* The sync endpoint's protocol, frame by frame, over a raw socket; and its test hooks. */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SECRET = "test-secret";
let server: RunningTestServer;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  configureSecret();
  server = await startTestServer({ functionsDir: join(ROOT, "convex"), port: 0, adminKey: "test-admin-key", pingIntervalMs: 15_000 });
});
afterAll(async () => {
  await server.close();
  resetSecret();
});
beforeEach(async () => {
  await post(server.url, "/_test/reset", {});
  await post(server.url, "/_test/sync/config", { pingIntervalMs: 15_000 });
});
afterEach(() => {
  for (const ws of sockets.splice(0)) ws.terminate();
});

/** A raw sync client: sends frames, and waits (bounded) for the next frames. */
class Raw {
  readonly frames: any[] = [];
  closed: { code: number } | null = null;
  private waiter: (() => void) | null = null;
  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const text = data.toString();
      try {
        this.frames.push(JSON.parse(text));
      } catch {
        this.frames.push({ type: "<not JSON>", text });
      }
      this.waiter?.();
    });
    ws.on("close", (code) => {
      this.closed = { code };
      this.waiter?.();
    });
  }
  send(message: unknown) {
    this.ws.send(JSON.stringify(message));
  }
  async next(type: string, timeoutMs = 5_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((f) => f.type === type);
      if (index >= 0) return this.frames.splice(index, 1)[0];
      if (this.closed !== null) throw new Error(`closed (${this.closed.code}) while waiting for ${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
  async closedWith(timeoutMs = 5_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closed === null && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.closed === null) throw new Error("the socket was not closed");
    return this.closed.code;
  }
}

async function connect(path = "/api/1.48.0/sync"): Promise<Raw> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`);
  sockets.push(ws);
  const raw = new Raw(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  raw.send({ type: "Connect", sessionId: "00000000-0000-4000-8000-000000000001", connectionCount: 0, lastCloseReason: null, clientTs: Date.now() });
  return raw;
}

const watchAdd = (queryId: number, workerSecret = SECRET) => ({ type: "Add", queryId, udfPath: "queue:watch", args: [{ workerSecret }] });
const enqueue = () => value(server.url, "mutation", "queue:enqueue", { source: { fullName: "octo/demo" }, prompt: "p", workerSecret: SECRET });
const calls = async (reset = false) => (await post(server.url, "/_test/calls", { reset })).body;

describe("sync protocol", () => {
  test("a versioned query set: each Transition starts where the previous ended, and carries only changes", async () => {
    const raw = await connect();
    raw.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [watchAdd(1)] });
    const first = await raw.next("Transition");
    expect(first.startVersion).toEqual({ querySet: 0, identity: 0, ts: encodeTs(0n) });
    expect(first.endVersion.querySet).toBe(1);
    expect(first.modifications).toEqual([
      { type: "QueryUpdated", queryId: 1, value: { pending: 0, pendingCapped: false, nextRunAt: null, nextLeaseUntil: null }, logLines: [], journal: null },
    ]);
    expect(typeof first.serverTs).toBe("number");

    await enqueue();
    const pushed = await raw.next("Transition");
    expect(pushed.startVersion).toEqual(first.endVersion);
    expect(decodeTs(pushed.endVersion.ts)).toBeGreaterThan(decodeTs(first.endVersion.ts));
    expect(pushed.modifications[0].value.pending).toBe(1);

    // A write the query does not see changes nothing that was sent: no Transition.
    await post(server.url, "/_test/seed", { table: "users", doc: { githubId: "1", username: "u", createdAt: 1 } });
    raw.send({ type: "ModifyQuerySet", baseVersion: 1, newVersion: 2, modifications: [{ type: "Remove", queryId: 1 }] });
    const removed = await raw.next("Transition");
    expect(removed.startVersion).toEqual(pushed.endVersion);
    expect(removed.modifications).toEqual([{ type: "QueryRemoved", queryId: 1 }]);
  });

  test("a failing query is QueryFailed with its ConvexError data", async () => {
    const raw = await connect();
    raw.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [watchAdd(7, "wrong")] });
    const [failed] = (await raw.next("Transition")).modifications;
    expect(failed).toMatchObject({ type: "QueryFailed", queryId: 7, errorData: { code: "UNAUTHORIZED" } });
  });

  test("a base version that does not match is a FatalError, then the socket closes", async () => {
    const raw = await connect();
    raw.send({ type: "ModifyQuerySet", baseVersion: 7, newVersion: 8, modifications: [] });
    expect((await raw.next("FatalError")).error).toBe("Base version 7 passed up doesn't match the current version 0");
    expect(await raw.closedWith()).toBe(1011);
  });

  test("admin authentication: the right key advances the identity, a wrong one is an AuthError and a close", async () => {
    const raw = await connect();
    raw.send({ type: "Authenticate", tokenType: "Admin", value: "test-admin-key", baseVersion: 0 });
    expect((await raw.next("Transition")).endVersion.identity).toBe(1);

    const bad = await connect();
    bad.send({ type: "Authenticate", tokenType: "Admin", value: "fake-wrong-key", baseVersion: 0 });
    const error = await bad.next("AuthError");
    expect(error).toMatchObject({ baseVersion: 0, error: "The provided admin key was invalid for this instance" });
    expect(JSON.stringify(error)).not.toContain("fake-wrong-key");
    expect(await bad.closedWith()).toBe(1008);
  });

  test("mutations and actions over the socket; a re-sent mutation is answered from the cache, not run twice", async () => {
    const raw = await connect();
    const args = [{ source: { fullName: "octo/demo" }, prompt: "p", workerSecret: SECRET }];
    raw.send({ type: "Mutation", requestId: 0, udfPath: "queue:enqueue", args });
    const response = await raw.next("MutationResponse");
    expect(response).toMatchObject({ requestId: 0, success: true });
    expect(decodeTs(response.ts)).toBeGreaterThan(0n);
    // The official client waits for a Transition at or after the mutation's ts.
    expect(decodeTs((await raw.next("Transition")).endVersion.ts)).toBeGreaterThanOrEqual(decodeTs(response.ts));

    raw.ws.terminate();
    const again = await connect();
    again.send({ type: "Mutation", requestId: 0, udfPath: "queue:enqueue", args });
    expect((await again.next("MutationResponse")).result).toBe(response.result);
    expect((await value(server.url, "query", "queue:watch", { workerSecret: SECRET })).pending).toBe(1);

    again.send({ type: "Action", requestId: 1, udfPath: "queue:nope", args: [{}] });
    expect(await again.next("ActionResponse")).toMatchObject({ requestId: 1, success: false });
  });

  test("pings a silent socket after the configured interval", async () => {
    await post(server.url, "/_test/sync/config", { pingIntervalMs: 100 });
    const raw = await connect();
    expect(await raw.next("Ping", 3_000)).toEqual({ type: "Ping" });
  });

  test("identical subscriptions of many sockets cost one query run per write", async () => {
    const raws = await Promise.all(Array.from({ length: 10 }, () => connect()));
    for (const raw of raws) raw.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [watchAdd(1)] });
    for (const raw of raws) await raw.next("Transition");
    await calls(true);
    await enqueue();
    for (const raw of raws) expect((await raw.next("Transition")).modifications[0].value.pending).toBe(1);
    const counted = await calls();
    expect(counted.calls.http.mutation).toBe(1);
    expect(counted.calls.sync.query).toBe(1);
  });

  test("test hooks: drop every socket, silence the open ones, inject a frame; other paths are 404", async () => {
    const raw = await connect();
    expect((await post(server.url, "/_test/sync/inject", { frame: "not json" })).body).toEqual({ sent: 1 });
    expect((await raw.next("<not JSON>")).text).toBe("not json");
    expect((await post(server.url, "/_test/sync/silence", {})).body).toEqual({ silenced: 1 });
    raw.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [watchAdd(1)] });
    await expect(raw.next("Transition", 300)).rejects.toThrow(/no Transition/);
    expect((await post(server.url, "/_test/sync/drop", {})).body).toEqual({ dropped: 1 });
    expect(await raw.closedWith()).toBe(1006);

    const notFound = new WebSocket(`ws://127.0.0.1:${server.port}/api/sync`);
    sockets.push(notFound);
    await expect(new Promise((resolve, reject) => {
      notFound.once("open", resolve);
      notFound.once("error", reject);
    })).rejects.toThrow(/404/);
  });
});
