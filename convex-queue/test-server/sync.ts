import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { constantTimeEquals } from "../convex/lib/auth";

/*
 * Convex's WebSocket sync protocol on the test server (`/api/<clientVersion>/sync`), as the official
 * client speaks it (see docs/convex-functions.md, "Sync protocol"): Connect, Authenticate, a versioned
 * query set (ModifyQuerySet → Transition), Mutation and Action requests, Ping after silence.
 *
 * Pushing: after every write (a mutation or action over HTTP or the socket, a seed, a reset, an internal
 * run) every subscribed query is run again and only the results that changed are sent. Identical
 * subscriptions (same function, arguments and identity) are run once per write, whatever the number of
 * sockets; writes that arrive while a re-run is going on are covered by one more re-run after it. Writes
 * of scheduled functions (they run on timers inside convex-test) are not followed by a re-run.
 */

/** A function result, already in Convex's encoded JSON. */
export type EncodedEnvelope =
  | { status: "success"; value: unknown; logLines?: string[] }
  | { status: "error"; errorMessage: string; errorData?: unknown; logLines?: string[] };

export type FunctionKind = "query" | "mutation" | "action";

/** What the sync endpoint needs from the server around it. */
export interface SyncBackend {
  /** Runs a function; `admin` opens internal functions. Counted as a call of origin "sync". */
  run(kind: FunctionKind, path: string, args: unknown, admin: boolean): Promise<EncodedEnvelope>;
  /** `Date.now()` of the functions (the test clock), sent as `serverTs`. */
  functionsNow(): number;
}

export interface SyncOptions {
  readonly adminKey: string;
  /** Ping after this long without other traffic to a client (Convex: about 15 s). */
  readonly pingIntervalMs: number;
  readonly verbose?: boolean;
}

interface StateVersion {
  querySet: number;
  identity: number;
  ts: bigint;
}

interface Subscription {
  readonly udfPath: string;
  readonly args: unknown;
  /** The last result sent, as JSON text, to send only changes. */
  last?: string;
}

type Modification =
  | { type: "QueryUpdated"; queryId: number; value: unknown; logLines: string[]; journal: null }
  | { type: "QueryFailed"; queryId: number; errorMessage: string; errorData?: unknown; logLines: string[]; journal: null }
  | { type: "QueryRemoved"; queryId: number };

const SYNC_PATH = /^\/api\/[^/]+\/sync$/;
const MAX_FRAME_BYTES = 24 * 1024 * 1024;

/** `ts`: unsigned 64-bit nanoseconds, sent as base64 of the 8 little-endian bytes. */
export function encodeTs(ts: bigint): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(ts);
  return bytes.toString("base64");
}

export function decodeTs(encoded: string): bigint {
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.length !== 8) throw new Error(`a timestamp must be 8 bytes, got ${bytes.length}`);
  return bytes.readBigUInt64LE();
}

/** The protocol was broken by the client: FatalError, then close. */
class ProtocolError extends Error {}

class Session {
  sessionId: string | null = null;
  connectionCount = 0;
  admin = false;
  identityVersion = 0;
  version: StateVersion = { querySet: 0, identity: 0, ts: 0n };
  readonly queries = new Map<number, Subscription>();
  silent = false;
  closed = false;
  private pingTimer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly ws: WebSocket,
    private readonly endpoint: SyncEndpoint,
  ) {}

  /** Handles messages one at a time, in order. */
  enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((error: unknown) => this.endpoint.onSessionError(this, error));
  }

  send(message: Record<string, unknown>): void {
    if (this.closed || this.silent || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify(message));
    this.endpoint.stats.messagesSent[String(message.type)] = (this.endpoint.stats.messagesSent[String(message.type)] ?? 0) + 1;
    this.schedulePing();
  }

  /** Sends a Transition from the version the client has to `end`, and remembers `end`. */
  transition(end: { querySet: number; identity: number }, modifications: Modification[]): void {
    const start = this.version;
    const ts = this.endpoint.nextTs();
    this.version = { ...end, ts };
    this.send({
      type: "Transition",
      startVersion: { querySet: start.querySet, identity: start.identity, ts: encodeTs(start.ts) },
      endVersion: { querySet: end.querySet, identity: end.identity, ts: encodeTs(ts) },
      modifications,
      serverTs: this.endpoint.backend.functionsNow(),
    });
  }

  schedulePing(): void {
    if (this.pingTimer !== null) clearTimeout(this.pingTimer);
    if (this.closed || this.silent) return;
    this.pingTimer = setTimeout(() => this.send({ type: "Ping" }), this.endpoint.pingIntervalMs);
    this.pingTimer.unref();
  }

  stop(): void {
    this.closed = true;
    if (this.pingTimer !== null) clearTimeout(this.pingTimer);
  }
}

export interface SyncStats {
  connectionsAccepted: number;
  open: number;
  /** Subscribed query executions (the first result and every re-run after a write). */
  queryRuns: number;
  /** Re-runs after writes (each may cover several writes and sockets). */
  reruns: number;
  messagesReceived: Record<string, number>;
  messagesSent: Record<string, number>;
}

export class SyncEndpoint {
  readonly stats: SyncStats = {
    connectionsAccepted: 0,
    open: 0,
    queryRuns: 0,
    reruns: 0,
    messagesReceived: {},
    messagesSent: {},
  };
  pingIntervalMs: number;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly sessions = new Set<Session>();
  /** Mutation responses by session id and request id: a mutation re-sent after a reconnect runs once. */
  private readonly mutationCache = new Map<string, Map<number, Record<string, unknown>>>();
  private lastTs = 0n;
  private rerunWanted = false;
  private rerunning: Promise<void> | null = null;
  private readonly mustTransition = new Set<Session>();

  constructor(
    readonly backend: SyncBackend,
    private readonly options: SyncOptions,
  ) {
    this.pingIntervalMs = options.pingIntervalMs;
  }

  /** Takes over an HTTP upgrade for the sync path; answers 404 for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (!SYNC_PATH.test(path)) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** A monotonic wall-clock timestamp in nanoseconds (never the test clock, so it never goes back). */
  nextTs(): bigint {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.lastTs = now > this.lastTs ? now : this.lastTs + 1n;
    return this.lastTs;
  }

  private log(message: string): void {
    if (this.options.verbose) process.stderr.write(`sync: ${message}\n`);
  }

  private accept(ws: WebSocket): void {
    const session = new Session(ws, this);
    this.sessions.add(session);
    this.stats.connectionsAccepted++;
    this.stats.open++;
    session.schedulePing();
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (session.silent) return;
      session.enqueue(() => this.onMessage(session, data, isBinary));
    });
    ws.on("close", () => {
      session.stop();
      if (this.sessions.delete(session)) this.stats.open--;
    });
    ws.on("error", (error) => this.log(`socket error: ${error.message}`));
  }

  onSessionError(session: Session, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ProtocolError) {
      this.log(`fatal: ${message}`);
      session.send({ type: "FatalError", error: message });
      session.stop();
      session.ws.close(1011, message.slice(0, 120));
      return;
    }
    process.stderr.write(`sync: internal error: ${(error as Error)?.stack ?? message}\n`);
    session.stop();
    session.ws.close(1011, "InternalServerError");
  }

  private async onMessage(session: Session, data: RawData, isBinary: boolean): Promise<void> {
    if (session.closed) return;
    if (isBinary) throw new ProtocolError("binary frames are not part of the sync protocol");
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data.toString()) as Record<string, unknown>;
    } catch {
      throw new ProtocolError("a frame is not JSON");
    }
    if (typeof message !== "object" || message === null || typeof message.type !== "string") {
      throw new ProtocolError("a message needs a type");
    }
    this.stats.messagesReceived[message.type] = (this.stats.messagesReceived[message.type] ?? 0) + 1;
    this.log(`<- ${message.type}`);
    switch (message.type) {
      case "Connect":
        return this.onConnect(session, message);
      case "Authenticate":
        return await this.onAuthenticate(session, message);
      case "ModifyQuerySet":
        return await this.onModifyQuerySet(session, message);
      case "Mutation":
      case "Action":
        return await this.onRequest(session, message);
      case "Event":
        return;
      default:
        throw new ProtocolError(`unknown message type ${JSON.stringify(message.type)}`);
    }
  }

  private onConnect(session: Session, message: Record<string, unknown>): void {
    if (typeof message.sessionId !== "string" || typeof message.connectionCount !== "number") {
      throw new ProtocolError("Connect needs a sessionId and a connectionCount");
    }
    session.sessionId = message.sessionId;
    session.connectionCount = message.connectionCount;
    if (typeof message.maxObservedTimestamp === "string" && decodeTs(message.maxObservedTimestamp) > this.nextTs()) {
      // The client saw a later state than this server has: it talks to another (or a restored) deployment.
      session.stop();
      session.ws.close(1011, "maxObservedTimestamp is ahead of this server");
    }
  }

  private async onAuthenticate(session: Session, message: Record<string, unknown>): Promise<void> {
    const baseVersion = message.baseVersion;
    if (baseVersion !== session.identityVersion) {
      throw new ProtocolError(`Base identity version ${String(baseVersion)} doesn't match the current version ${session.identityVersion}`);
    }
    const refuse = (error: string) => {
      session.send({ type: "AuthError", error, baseVersion, authUpdateAttempted: true });
      session.stop();
      session.ws.close(1008, "AuthError");
    };
    switch (message.tokenType) {
      case "Admin":
        if (typeof message.value !== "string" || !constantTimeEquals(message.value.trim(), this.options.adminKey)) {
          return refuse("The provided admin key was invalid for this instance");
        }
        session.admin = true;
        break;
      case "User":
        return refuse("this test server has no auth provider configured for user tokens");
      case "None":
        session.admin = false;
        break;
      default:
        throw new ProtocolError(`unknown tokenType ${JSON.stringify(message.tokenType)}`);
    }
    session.identityVersion = baseVersion + 1;
    // The identity changed: every query is run again under it.
    const modifications: Modification[] = [];
    for (const [queryId, query] of session.queries) {
      const result = await this.runQuery(query, session.admin);
      query.last = JSON.stringify(result);
      modifications.push(modificationOf(queryId, result));
    }
    session.transition({ querySet: session.version.querySet, identity: session.identityVersion }, modifications);
  }

  private async onModifyQuerySet(session: Session, message: Record<string, unknown>): Promise<void> {
    const { baseVersion, newVersion, modifications } = message;
    if (baseVersion !== session.version.querySet) {
      throw new ProtocolError(`Base version ${String(baseVersion)} passed up doesn't match the current version ${session.version.querySet}`);
    }
    if (newVersion !== baseVersion + 1 || !Array.isArray(modifications)) {
      throw new ProtocolError("ModifyQuerySet needs newVersion = baseVersion + 1 and a modifications array");
    }
    const sent: Modification[] = [];
    for (const modification of modifications as Record<string, unknown>[]) {
      const queryId = modification.queryId;
      if (typeof queryId !== "number") throw new ProtocolError("a query modification needs a queryId");
      if (modification.type === "Add") {
        if (typeof modification.udfPath !== "string" || !Array.isArray(modification.args) || modification.args.length !== 1) {
          throw new ProtocolError("Add needs a udfPath and args as a one-element array");
        }
        if (session.queries.has(queryId)) throw new ProtocolError(`query ${queryId} was added twice`);
        const query: Subscription = { udfPath: modification.udfPath, args: modification.args[0] };
        const result = await this.runQuery(query, session.admin);
        query.last = JSON.stringify(result);
        session.queries.set(queryId, query);
        sent.push(modificationOf(queryId, result));
      } else if (modification.type === "Remove") {
        if (!session.queries.delete(queryId)) throw new ProtocolError(`query ${queryId} is not in the query set`);
        sent.push({ type: "QueryRemoved", queryId });
      } else {
        throw new ProtocolError(`unknown query modification ${JSON.stringify(modification.type)}`);
      }
    }
    session.transition({ querySet: newVersion, identity: session.identityVersion }, sent);
  }

  private async onRequest(session: Session, message: Record<string, unknown>): Promise<void> {
    const { requestId, udfPath, args } = message;
    if (typeof requestId !== "number" || typeof udfPath !== "string" || !Array.isArray(args) || args.length !== 1) {
      throw new ProtocolError(`${String(message.type)} needs a requestId, a udfPath and args as a one-element array`);
    }
    const isMutation = message.type === "Mutation";
    const cache = session.sessionId === null ? undefined : this.mutationCache.get(session.sessionId);
    const cached = isMutation ? cache?.get(requestId) : undefined;
    if (cached !== undefined) {
      session.send(cached);
      this.mustTransition.add(session);
      this.notifyWrite();
      return;
    }
    const result = await this.backend.run(isMutation ? "mutation" : "action", udfPath, args[0], session.admin);
    const logLines = result.logLines ?? [];
    const response: Record<string, unknown> =
      result.status === "success"
        ? { type: isMutation ? "MutationResponse" : "ActionResponse", requestId, success: true, result: result.value, logLines }
        : {
            type: isMutation ? "MutationResponse" : "ActionResponse",
            requestId,
            success: false,
            result: result.errorMessage,
            logLines,
            ...(result.errorData !== undefined ? { errorData: result.errorData } : {}),
          };
    if (isMutation && result.status === "success") response.ts = encodeTs(this.nextTs());
    if (isMutation && session.sessionId !== null) {
      const entries = this.mutationCache.get(session.sessionId) ?? new Map<number, Record<string, unknown>>();
      entries.set(requestId, response);
      this.mutationCache.set(session.sessionId, entries);
    }
    session.send(response);
    // The official client treats a mutation as visible once a Transition reaches its ts: always send one.
    if (isMutation) this.mustTransition.add(session);
    this.notifyWrite();
  }

  private async runQuery(query: Subscription, admin: boolean): Promise<EncodedEnvelope> {
    this.stats.queryRuns++;
    return await this.backend.run("query", query.udfPath, query.args, admin);
  }

  /**
   * Something was written: re-run every subscribed query (soon, once for all writes until then) and send
   * the changed results.
   */
  notifyWrite(): Promise<void> {
    this.rerunWanted = true;
    if (this.rerunning === null) {
      this.rerunning = (async () => {
        try {
          while (this.rerunWanted) {
            this.rerunWanted = false;
            await this.rerunAll();
          }
        } finally {
          this.rerunning = null;
        }
      })();
    }
    return this.rerunning;
  }

  private async rerunAll(): Promise<void> {
    this.stats.reruns++;
    const forced = new Set(this.mustTransition);
    this.mustTransition.clear();
    // One execution per distinct (identity, function, arguments), shared by every socket subscribed to it.
    const results = new Map<string, Promise<EncodedEnvelope>>();
    const pending: { session: Session; queryId: number; query: Subscription; result: Promise<EncodedEnvelope> }[] = [];
    for (const session of this.sessions) {
      if (session.closed || session.silent) continue;
      for (const [queryId, query] of session.queries) {
        const key = `${session.admin ? "admin" : "none"}|${query.udfPath}|${JSON.stringify(query.args)}`;
        let result = results.get(key);
        if (result === undefined) {
          result = this.runQuery(query, session.admin);
          results.set(key, result);
        }
        pending.push({ session, queryId, query, result });
      }
    }
    const changes = new Map<Session, Modification[]>();
    for (const { session, queryId, query, result } of pending) {
      const value = await result;
      const text = JSON.stringify(value);
      // Removed meanwhile, or unchanged: nothing to send.
      if (session.queries.get(queryId) !== query || query.last === text) continue;
      query.last = text;
      const list = changes.get(session) ?? [];
      list.push(modificationOf(queryId, value));
      changes.set(session, list);
    }
    for (const session of new Set([...changes.keys(), ...forced])) {
      if (session.closed) continue;
      session.transition(
        { querySet: session.version.querySet, identity: session.version.identity },
        changes.get(session) ?? [],
      );
    }
  }

  // ------------------------------------------------------------------------------------- test hooks

  /** `/_test/sync/*`: drop sockets, stop answering, inject a frame, set the ping interval, read stats. */
  testRoute(route: string, body: Record<string, unknown>): unknown {
    switch (route) {
      case "/_test/sync/drop": {
        // Abruptly, without a close frame, as a dying network would.
        const dropped = this.sessions.size;
        for (const session of this.sessions) {
          session.stop();
          session.ws.terminate();
        }
        return { dropped };
      }
      case "/_test/sync/silence": {
        // The sockets open now stop answering and pinging (and ignore what they get); new ones behave.
        let silenced = 0;
        for (const session of this.sessions) {
          session.silent = true;
          session.schedulePing();
          silenced++;
        }
        return { silenced };
      }
      case "/_test/sync/inject": {
        if (typeof body.frame !== "string") throw new Error("inject needs {frame: string}");
        let sent = 0;
        for (const session of this.sessions) {
          if (session.ws.readyState === WebSocket.OPEN) {
            session.ws.send(body.frame);
            sent++;
          }
        }
        return { sent };
      }
      case "/_test/sync/config": {
        if (body.pingIntervalMs !== undefined) {
          if (typeof body.pingIntervalMs !== "number" || !(body.pingIntervalMs > 0)) {
            throw new Error("pingIntervalMs must be a positive number");
          }
          this.pingIntervalMs = body.pingIntervalMs;
          for (const session of this.sessions) session.schedulePing();
        }
        return { pingIntervalMs: this.pingIntervalMs };
      }
      case "/_test/sync/stats":
        return { ...this.stats, sessions: [...this.sessions].map((s) => ({ sessionId: s.sessionId, connectionCount: s.connectionCount, queries: s.queries.size })) };
      default:
        return undefined;
    }
  }

  resetStats(): void {
    this.stats.queryRuns = 0;
    this.stats.reruns = 0;
    this.stats.connectionsAccepted = 0;
    this.stats.messagesReceived = {};
    this.stats.messagesSent = {};
  }

  close(): void {
    for (const session of this.sessions) {
      session.stop();
      session.ws.terminate();
    }
    this.sessions.clear();
    this.wss.close();
  }
}

function modificationOf(queryId: number, result: EncodedEnvelope): Modification {
  const logLines = result.logLines ?? [];
  if (result.status === "success") return { type: "QueryUpdated", queryId, value: result.value, logLines, journal: null };
  return {
    type: "QueryFailed",
    queryId,
    errorMessage: result.errorMessage,
    ...(result.errorData !== undefined ? { errorData: result.errorData } : {}),
    logLines,
    journal: null,
  };
}
