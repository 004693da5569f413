import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";
import { convexTest } from "convex-test";
import { makeFunctionReference, type SchemaDefinition } from "convex/server";
import { ConvexError, convexToJson, jsonToConvex, type Value } from "convex/values";
import { constantTimeEquals } from "../convex/lib/auth";
import { onTransaction, type TransactionUsage } from "./metrics";
import { functionModules, type FunctionModules } from "./modules";
import { SyncEndpoint, type EncodedEnvelope } from "./sync";

/*
 * A local stand-in for a Convex deployment: the real function modules run under convex-test
 * (schema validation, indexes, atomic mutations) behind the Convex HTTP function API, so that
 * clients in other languages can be tested over real HTTP. See docs/convex-functions.md for the protocol.
 */

export interface TestServerOptions {
  /** The Convex functions directory (with schema.ts and _generated/). */
  readonly functionsDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** The key accepted in `Authorization: Convex <key>`, which also opens internal functions. */
  readonly adminKey: string;
  /** Log each call to stderr. */
  readonly verbose?: boolean;
  /** Sync protocol: Ping after this long without other traffic to a client (default 15 s, as Convex). */
  readonly pingIntervalMs?: number;
  /**
   * Fail a function that reads or writes more than Convex allows in one transaction (32,000 documents read,
   * 4,096 index ranges, 16 MiB ...), as a deployment does. Off by default.
   */
  readonly transactionLimits?: boolean;
}

export interface RunningTestServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

type Kind = "query" | "mutation" | "action";
/** Where a call came from: the HTTP API, the sync socket (subscribed queries included), a test endpoint. */
type Origin = "http" | "sync" | "test";
type Envelope =
  | { status: "success"; value: unknown; logLines?: string[] }
  | { status: "error"; errorMessage: string; errorData?: unknown; logLines?: string[] };

/** The deployment settings a test may change (`/_test/env`): only those the functions read per call. */
const SETTABLE_ENVIRONMENT = ["FONDATION_MAX_RUNNING_PER_USER"];

/** Largest request body accepted (Convex limits arguments to 16 MiB; JSON encoding adds some). */
const MAX_BODY_BYTES = 24 * 1024 * 1024;
const FUNCTION_PATH = /^[A-Za-z0-9_][A-Za-z0-9_\-./]*(:[A-Za-z_$][A-Za-z0-9_$]*)?$/;

/** A request error: non-2xx with `{code, message}`, as the Convex backend answers. */
class RequestError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A serial lock: convex-test and a real deployment both run one transaction at a time here. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/**
 * The clock of the functions: wall time plus an offset that `/_test/clock` advances, so lease
 * expiry is testable without waiting. Installed over `Date.now`, which the functions use.
 */
class Clock {
  private offsetMs = 0;
  private readonly realNow = Date.now;
  install() {
    Date.now = () => this.realNow.call(Date) + this.offsetMs;
  }
  uninstall() {
    Date.now = this.realNow;
  }
  advance(ms: number) {
    this.offsetMs += ms;
  }
  reset() {
    this.offsetMs = 0;
  }
  get offset() {
    return this.offsetMs;
  }
}

/**
 * Console output of the functions: always to stderr (stdout carries only the port line), and
 * collected as the `logLines` of the call that is running.
 */
class LogCapture {
  private lines: string[] | null = null;
  private readonly originals = new Map<string, (...args: unknown[]) => void>();
  install() {
    const levels: [keyof Console, string][] = [
      ["log", "LOG"],
      ["info", "INFO"],
      ["warn", "WARN"],
      ["error", "ERROR"],
      ["debug", "DEBUG"],
    ];
    for (const [method, level] of levels) {
      this.originals.set(method, console[method] as (...args: unknown[]) => void);
      (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        const text = format(...args);
        this.lines?.push(`[${level}] ${text}`);
        process.stderr.write(`[${level}] ${text}\n`);
      };
    }
  }
  uninstall() {
    for (const [method, original] of this.originals) (console as unknown as Record<string, unknown>)[method] = original;
  }
  async around<T>(task: () => Promise<T>): Promise<{ result: T; logLines: string[] }> {
    const lines: string[] = [];
    this.lines = lines;
    try {
      return { result: await task(), logLines: lines };
    } finally {
      this.lines = null;
    }
  }
}

export async function startTestServer(options: TestServerOptions): Promise<RunningTestServer> {
  const modules = functionModules(options.functionsDir);
  const schemaModule = await import(pathToFileURL(join(options.functionsDir, "schema.ts")).href);
  const schema = schemaModule.default as SchemaDefinition<any, boolean>;
  const newDeployment = () =>
    convexTest({ schema, modules: modules.forConvexTest, transactionLimits: options.transactionLimits === true });
  let deployment = newDeployment();
  const mutex = new Mutex();
  const clock = new Clock();
  const logs = new LogCapture();
  clock.install();
  logs.install();

  const log = (message: string) => {
    if (options.verbose) process.stderr.write(`${message}\n`);
  };
  const newCalls = () => ({
    http: { query: 0, mutation: 0, action: 0 },
    sync: { query: 0, mutation: 0, action: 0 },
    test: { query: 0, mutation: 0, action: 0 },
  });
  /** Function calls by origin and kind (`/_test/calls`), e.g. to measure what an idle worker costs. */
  let calls = newCalls();
  /** What each function's transactions read and wrote (`/_test/calls`), as convex-test counts it. */
  let usage = new Map<string, UsageTotals>();
  let lastTransaction: TransactionUsage | null = null;
  /** While an HTTP action runs: every transaction it ran (its runQuery/runMutation calls). */
  let httpTransactions: TransactionUsage[] | null = null;
  onTransaction((u) => {
    lastTransaction = u;
    httpTransactions?.push(u);
  });

  const sync = new SyncEndpoint(
    {
      run: async (kind, path, args, admin) => {
        let decoded: Record<string, Value>;
        try {
          decoded = decodeArgs(args);
        } catch (error) {
          return { status: "error", errorMessage: (error as Error).message };
        }
        if (typeof path !== "string" || !FUNCTION_PATH.test(path) || path.includes("..")) {
          return { status: "error", errorMessage: `invalid function path ${JSON.stringify(path)}` };
        }
        return encodeEnvelope(await execute(kind, path, decoded, admin, "sync"), "convex_encoded_json") as EncodedEnvelope;
      },
      functionsNow: () => Date.now(),
    },
    { adminKey: options.adminKey, pingIntervalMs: options.pingIntervalMs ?? 15_000, verbose: options.verbose },
  );

  async function execute(
    endpoint: Kind | "any",
    path: string,
    args: Record<string, Value>,
    admin: boolean,
    origin: Origin,
  ): Promise<Envelope> {
    const started = performance.now();
    const { modulePath, exportName } = splitPath(path);
    const fn = await exportedFunction(modules, modulePath, exportName);
    const name = `${modulePath}:${exportName}`;
    if (fn === null || (fn.isInternal && !admin)) {
      return functionError(
        `Could not find public function for '${name}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`,
      );
    }
    const actual: Kind = fn.isQuery ? "query" : fn.isMutation ? "mutation" : "action";
    if (endpoint !== "any" && endpoint !== actual) {
      return functionError(
        `Trying to execute ${modulePath}.js:${exportName} as ${capitalize(endpoint)}, but it is defined as ${capitalize(actual)}.`,
      );
    }
    calls[origin][actual]++;
    const reference = makeFunctionReference<any>(name);
    const envelope = await mutex.run(async () => {
      lastTransaction = null;
      try {
        const { result, logLines } = await logs.around(async () => {
          const t = deployment;
          return actual === "query"
            ? await t.query(reference, args)
            : actual === "mutation"
              ? await t.mutation(reference, args)
              : await t.action(reference, args);
        });
        return withLogs({ status: "success", value: result === undefined ? null : result }, logLines);
      } catch (error) {
        return errorEnvelope(error);
      }
    });
    // Calls are serialised, so the transaction that ended last is this call's (actions run none of their own).
    const spent = lastTransaction as TransactionUsage | null;
    if (spent !== null && actual !== "action") record(usage, name, spent);
    log(`${actual} ${name} ${envelope.status} ${(performance.now() - started).toFixed(1)} ms`);
    // Subscribed queries may read what it wrote (the socket's own requests notify on their own).
    if (actual !== "query" && origin !== "sync") void sync.notifyWrite();
    return envelope;
  }

  /**
   * An HTTP action of the functions' `http.ts` router (a deployment serves them on its `.convex.site` host; here, on
   * the same port as the API, at every path outside `/api/` and `/_test/`), run by convex-test's `fetch`. What its
   * transactions read is recorded in `/_test/calls` under `<METHOD> <path>`.
   */
  async function httpAction(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const loader = modules.byModulePath.get("http");
    const router = loader === undefined ? undefined : ((await loader()).default as HttpRoutes | undefined);
    if (router === undefined || router.lookup(url.pathname, method === "HEAD" ? "GET" : method) === null) {
      throw new RequestError(404, "NotFound", `no route for ${url.pathname}`);
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || name === "host" || name === "connection" || name === "content-length") continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    }
    const body = method === "GET" || method === "HEAD" ? undefined : new Uint8Array(await readBody(req));
    calls.http.action++;
    const started = performance.now();
    const { response, transactions } = await mutex.run(async () => {
      httpTransactions = [];
      try {
        const answer = await logs.around(async () =>
          await deployment.fetch(`${url.pathname}${url.search}`, { method, headers, body }),
        );
        return { response: answer.result, transactions: httpTransactions };
      } finally {
        httpTransactions = null;
      }
    });
    for (const spent of transactions) record(usage, `${method} ${url.pathname}`, spent);
    log(`http ${method} ${url.pathname} ${response.status} ${(performance.now() - started).toFixed(1)} ms`);
    void sync.notifyWrite();
    const bytes = Buffer.from(await response.arrayBuffer());
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => (responseHeaders[name] = value));
    res.writeHead(response.status, { ...responseHeaders, "Content-Length": bytes.length });
    res.end(method === "HEAD" ? undefined : bytes);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = url.pathname;
    if (!route.startsWith("/api/") && !route.startsWith("/_test/")) {
      return await httpAction(req, res, url);
    }
    if (req.method !== "POST") {
      throw new RequestError(405, "MethodNotAllowed", `${req.method} is not supported; use POST`);
    }
    checkClientHeader(req);
    const admin = isAdmin(req, options.adminKey);
    const body = await readJson(req);

    if (route.startsWith("/_test/")) {
      return send(res, 200, await testEndpoint(route, body));
    }
    let endpoint: Kind | "any";
    let path: unknown;
    if (route === "/api/query" || route === "/api/mutation" || route === "/api/action") {
      endpoint = route.slice("/api/".length) as Kind;
      path = body.path;
    } else if (route.startsWith("/api/run/")) {
      endpoint = "any";
      const segments = route.slice("/api/run/".length).split("/").filter((s) => s.length > 0);
      if (segments.length < 2) {
        throw new RequestError(400, "BadConvexFunctionIdentifier", `'${route}' does not name a module and a function`);
      }
      path = `${segments.slice(0, -1).join("/")}:${segments[segments.length - 1]}`;
    } else {
      throw new RequestError(404, "NotFound", `no route for ${route}`);
    }
    if (typeof path !== "string" || !FUNCTION_PATH.test(path) || path.includes("..")) {
      throw new RequestError(400, "BadConvexFunctionIdentifier", `invalid function path ${JSON.stringify(path)}`);
    }
    const outputFormat = body.format ?? "json";
    if (outputFormat !== "json" && outputFormat !== "convex_encoded_json") {
      throw new RequestError(400, "BadFormat", `unsupported format ${JSON.stringify(outputFormat)}`);
    }
    const args = decodeArgs(body.args);
    const envelope = await execute(endpoint, path, args, admin, "http");
    send(res, 200, encodeEnvelope(envelope, outputFormat));
  }

  /** Values the environment variables set through `/_test/env` had at start-up; `/_test/reset` restores them. */
  const originalEnvironment = new Map<string, string | undefined>();

  function restoreEnvironment(): void {
    for (const [name, value] of originalEnvironment) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    originalEnvironment.clear();
  }

  async function testEndpoint(route: string, body: Record<string, unknown>): Promise<unknown> {
    switch (route) {
      case "/_test/reset":
        // A fresh database and the real time again: each test starts from a clean deployment.
        await mutex.run(async () => {
          deployment = newDeployment();
          clock.reset();
          restoreEnvironment();
        });
        sync.pingIntervalMs = options.pingIntervalMs ?? 15_000;
        void sync.notifyWrite();
        return { ok: true };
      case "/_test/env": {
        // A deployment environment variable the functions read per call (`npx convex env set` on Convex).
        const { name, value } = body;
        if (typeof name !== "string" || !SETTABLE_ENVIRONMENT.includes(name)) {
          throw new RequestError(400, "BadJsonBody", `env sets only ${SETTABLE_ENVIRONMENT.join(", ")}`);
        }
        if (value !== null && typeof value !== "string") {
          throw new RequestError(400, "BadJsonBody", "env needs {name, value: string or null (unset)}");
        }
        await mutex.run(async () => {
          if (!originalEnvironment.has(name)) originalEnvironment.set(name, process.env[name]);
          if (value === null) delete process.env[name];
          else process.env[name] = value;
        });
        return { name, value };
      }
      case "/_test/clock": {
        const advance = body.advanceMs ?? 0;
        if (typeof advance !== "number" || !Number.isFinite(advance)) {
          throw new RequestError(400, "BadJsonBody", "advanceMs must be a finite number of milliseconds");
        }
        await mutex.run(async () => clock.advance(advance));
        return { offsetMs: clock.offset, now: Date.now() };
      }
      case "/_test/seed": {
        const { table, doc, docs } = body;
        const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);
        const many = Array.isArray(docs) && docs.every(isObject);
        if (typeof table !== "string" || !(isObject(doc) || (doc === undefined && many))) {
          throw new RequestError(400, "BadJsonBody", "seed needs {table: string, doc: object} or {table, docs: [object]}");
        }
        const values = (many ? (docs as unknown[]) : [doc]).map((d) => jsonToConvex(d as any) as Record<string, Value>);
        return await mutex.run(async () => {
          try {
            // One transaction for the lot (a batch, not a function call: it is not counted in /_test/calls).
            const ids = await deployment.run(async (ctx) => {
              const inserted = [];
              for (const value of values) inserted.push(await ctx.db.insert(table as any, value as any));
              return inserted;
            });
            void sync.notifyWrite();
            return many ? { ids } : { id: ids[0] };
          } catch (error) {
            throw new RequestError(400, "BadSeed", `cannot insert into '${table}': ${(error as Error).message}`);
          }
        });
      }
      case "/_test/run-internal": {
        if (typeof body.path !== "string" || !FUNCTION_PATH.test(body.path)) {
          throw new RequestError(400, "BadConvexFunctionIdentifier", `invalid function path ${JSON.stringify(body.path)}`);
        }
        return encodeEnvelope(await execute("any", body.path, decodeArgs(body.args), true, "test"), "convex_encoded_json");
      }
      case "/_test/calls": {
        // {reset: true} starts counting again after answering.
        const answer = { calls, usage: Object.fromEntries(usage), sync: sync.testRoute("/_test/sync/stats", {}) };
        if (body.reset === true) {
          calls = newCalls();
          usage = new Map();
          sync.resetStats();
        }
        return answer;
      }
      default: {
        if (route.startsWith("/_test/sync/")) {
          try {
            const answer = sync.testRoute(route, body);
            if (answer !== undefined) return answer;
          } catch (error) {
            throw new RequestError(400, "BadJsonBody", (error as Error).message);
          }
        }
        throw new RequestError(404, "NotFound", `no test endpoint ${route}`);
      }
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof RequestError) {
        send(res, error.httpStatus, { code: error.code, message: error.message });
      } else {
        process.stderr.write(`test server: internal error: ${(error as Error)?.stack ?? error}\n`);
        send(res, 500, { code: "InternalServerError", message: String((error as Error)?.message ?? error) });
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on("upgrade", (req, socket, head) => sync.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        sync.close();
        server.closeAllConnections();
        server.close(() => {
          clock.uninstall();
          logs.uninstall();
          resolve();
        });
      }),
  };
}

/** Per function: how many transactions, and the total and largest of what each read and wrote. */
interface UsageTotals {
  transactions: number;
  documentsRead: { total: number; max: number };
  databaseQueries: { total: number; max: number };
  bytesRead: { total: number; max: number };
  documentsWritten: { total: number; max: number };
}

function record(usage: Map<string, UsageTotals>, name: string, spent: TransactionUsage): void {
  const totals =
    usage.get(name) ??
    ({
      transactions: 0,
      documentsRead: { total: 0, max: 0 },
      databaseQueries: { total: 0, max: 0 },
      bytesRead: { total: 0, max: 0 },
      documentsWritten: { total: 0, max: 0 },
    } satisfies UsageTotals);
  totals.transactions += 1;
  for (const key of ["documentsRead", "databaseQueries", "bytesRead", "documentsWritten"] as const) {
    totals[key].total += spent[key];
    totals[key].max = Math.max(totals[key].max, spent[key]);
  }
  usage.set(name, totals);
}

async function exportedFunction(modules: FunctionModules, modulePath: string, exportName: string) {
  const loader = modules.byModulePath.get(modulePath);
  if (loader === undefined) return null;
  const fn = (await loader())[exportName] as
    | { isQuery?: boolean; isMutation?: boolean; isAction?: boolean; isInternal?: boolean }
    | undefined;
  if (fn === undefined || fn === null || !(fn.isQuery || fn.isMutation || fn.isAction)) return null;
  return fn;
}

function splitPath(path: string): { modulePath: string; exportName: string } {
  const [module, exportName = "default"] = path.split(":");
  return { modulePath: module.replace(/\.js$/, ""), exportName };
}

function capitalize(kind: string): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

function functionError(errorMessage: string): Envelope {
  return { status: "error", errorMessage };
}

function withLogs(envelope: Envelope, logLines: string[]): Envelope {
  return logLines.length > 0 ? { ...envelope, logLines } : envelope;
}

function errorEnvelope(error: unknown): Envelope {
  if (error instanceof ConvexError) {
    return { status: "error", errorMessage: `Uncaught ConvexError: ${error.message}`, errorData: error.data };
  }
  const message = (error as Error)?.message ?? String(error);
  if (/^Validator error|ArgumentValidationError/.test(message)) {
    return { status: "error", errorMessage: `ArgumentValidationError: ${message.replace(/^Validator error:\s*/, "")}` };
  }
  return { status: "error", errorMessage: `Uncaught ${(error as Error)?.name ?? "Error"}: ${message}` };
}

function checkClientHeader(req: IncomingMessage): void {
  const client = req.headers["convex-client"];
  if (client !== undefined && (Array.isArray(client) || !/^[^-\s]+-\S+$/.test(client))) {
    throw new RequestError(400, "InvalidClientVersion", `Convex-Client header '${client}' is not of the form <name>-<version>`);
  }
}

function isAdmin(req: IncomingMessage, adminKey: string): boolean {
  const header = req.headers.authorization;
  if (header === undefined) return false;
  const match = /^(\S+)\s+(.+)$/.exec(header);
  if (match === null) throw new RequestError(401, "InvalidAuthHeader", "the Authorization header is malformed");
  const [, scheme, credential] = match;
  if (scheme === "Convex") {
    if (!constantTimeEquals(credential.trim(), adminKey)) {
      throw new RequestError(401, "BadAdminKey", "The provided admin key was invalid for this instance");
    }
    return true;
  }
  if (scheme === "Bearer") {
    throw new RequestError(401, "NoAuthProvider", "this test server has no auth provider configured for user tokens");
  }
  throw new RequestError(401, "InvalidAuthHeader", `unsupported Authorization scheme '${scheme}'`);
}

/** The routes of an `http.ts` router, as far as the server needs them. */
interface HttpRoutes {
  lookup(path: string, method: string): unknown;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RequestError(413, "PayloadTooLarge", `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString("utf8");
  if (text.trim().length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RequestError(400, "BadJsonBody", `the request body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new RequestError(400, "BadJsonBody", "the request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** `args` may be an object or, as the npm client sends it, a one-element array. */
function decodeArgs(raw: unknown): Record<string, Value> {
  const value = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : undefined) : (raw ?? {});
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RequestError(400, "BadJsonBody", "args must be an object (or a one-element array holding one)");
  }
  try {
    return jsonToConvex(value as any) as Record<string, Value>;
  } catch (error) {
    throw new RequestError(400, "BadJsonBody", `args are not valid Convex JSON: ${(error as Error).message}`);
  }
}

function encodeEnvelope(envelope: Envelope, outputFormat: string): unknown {
  const encode = (value: unknown) =>
    outputFormat === "convex_encoded_json" ? convexToJson(value as Value) : lossyJson(value);
  if (envelope.status === "success") return { ...envelope, value: encode(envelope.value) };
  return envelope.errorData === undefined ? envelope : { ...envelope, errorData: encode(envelope.errorData) };
}

/** The `json` format: int64 as a decimal string, bytes as base64, everything else as JSON. */
function lossyJson(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(lossyJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, lossyJson(v)]));
  }
  return value;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
