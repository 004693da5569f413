/**
 * Local Convex test server: runs the Fondation functions under convex-test behind the Convex HTTP
 * function API, on 127.0.0.1.
 *
 *   node node_modules/tsx/dist/cli.mjs test-server/server.ts --functions hardened|legacy --port 0
 *
 * Speaks the HTTP function API and Convex's WebSocket sync protocol (/api/<version>/sync; --ping-interval-ms,
 * default 15000, is how long a socket may be silent before the server pings it). --transaction-limits fails a
 * function that reads or writes more than Convex allows in one transaction, as a deployment does.
 *
 * Prints exactly one line on stdout when ready: {"listening":<port>}. Logs go to stderr. Exits when
 * stdin closes (so a dying parent never leaks it; --ignore-stdin turns that off) or on SIGTERM/SIGINT.
 * Environment: FONDATION_WORKER_SECRET (read by the functions), CONVEX_TEST_ADMIN_KEY (default
 * "test-admin-key"), CONVEX_TEST_VERBOSE=1 to log every call.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestServer } from "./app";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const FUNCTION_SETS: Record<string, string> = {
  hardened: join(ROOT, "convex"),
  legacy: join(ROOT, "src", "test", "legacy-convex"),
};

function usage(problem: string): never {
  process.stderr.write(
    `test server: ${problem}\nusage: server.ts --functions hardened|legacy [--port N] [--ping-interval-ms N] [--transaction-limits] [--ignore-stdin] [--verbose]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]) {
  let functions = "hardened";
  let port = 0;
  let ignoreStdin = false;
  let verbose = process.env.CONVEX_TEST_VERBOSE === "1";
  let pingIntervalMs = 15_000;
  let transactionLimits = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    if (arg === "--functions") functions = value();
    else if (arg.startsWith("--functions=")) functions = arg.slice("--functions=".length);
    else if (arg === "--port") port = Number(value());
    else if (arg.startsWith("--port=")) port = Number(arg.slice("--port=".length));
    else if (arg === "--ignore-stdin") ignoreStdin = true;
    else if (arg === "--verbose") verbose = true;
    else if (arg === "--ping-interval-ms") pingIntervalMs = Number(value());
    else if (arg === "--transaction-limits") transactionLimits = true;
    else usage(`unknown argument '${arg}'`);
  }
  if (!(functions in FUNCTION_SETS)) usage(`--functions must be one of ${Object.keys(FUNCTION_SETS).join(", ")}, was '${functions}'`);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) usage(`--port must be 0..65535, was '${port}'`);
  if (!Number.isFinite(pingIntervalMs) || pingIntervalMs <= 0) usage(`--ping-interval-ms must be positive, was '${pingIntervalMs}'`);
  return { functionsDir: FUNCTION_SETS[functions], functions, port, ignoreStdin, verbose, pingIntervalMs, transactionLimits };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  process.on("unhandledRejection", (reason) => {
    process.stderr.write(`test server: unhandled rejection: ${(reason as Error)?.stack ?? reason}\n`);
  });
  const server = await startTestServer({
    functionsDir: options.functionsDir,
    port: options.port,
    adminKey: process.env.CONVEX_TEST_ADMIN_KEY || "test-admin-key",
    verbose: options.verbose,
    pingIntervalMs: options.pingIntervalMs,
    transactionLimits: options.transactionLimits,
  });
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`test server: stopping (${reason})\n`);
    const force = setTimeout(() => process.exit(0), 2_000);
    force.unref();
    server.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  if (!options.ignoreStdin) {
    process.stdin.on("end", () => stop("stdin closed"));
    process.stdin.on("close", () => stop("stdin closed"));
    process.stdin.on("error", () => stop("stdin error"));
    process.stdin.resume();
  }
  process.stderr.write(`test server: ${options.functions} functions from ${options.functionsDir} on ${server.url}\n`);
  process.stdout.write(`${JSON.stringify({ listening: server.port })}\n`);
}

main().catch((error) => {
  process.stderr.write(`test server: failed to start: ${(error as Error)?.stack ?? error}\n`);
  process.exit(1);
});
