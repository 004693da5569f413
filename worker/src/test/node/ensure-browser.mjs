// Makes sure the browser tests can run (Maven's generate-test-resources phase runs this; so can a developer):
// 1. node_modules matches package-lock.json (npm ci only when it is missing or older than the lock file);
// 2. Debian's Chromium is installed: when it is missing and this runs as root, `apt-get install chromium`.
// The browser is never downloaded by npm. Without a browser afterwards this fails, so the build fails:
// the status page tests are not skipped.
//
// Usage: node ensure-browser.mjs            (CHROMIUM_PATH overrides /usr/bin/chromium)
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

function fail(message) {
  console.error(`ensure-browser: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) {
    fail(`cannot run ${command} (${result.error.message})`);
  }
  return result.status;
}

const lock = join(root, "package-lock.json");
const installed = join(root, "node_modules", ".package-lock.json");
const upToDate = existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs
  && existsSync(join(root, "node_modules", "playwright-core", "package.json"))
  && existsSync(join(root, "node_modules", "@kubernetes-models", "keda", "package.json"));
if (upToDate) {
  console.log("ensure-browser: node_modules is up to date");
} else {
  console.log("ensure-browser: installing playwright-core with npm ci (it downloads no browser)");
  if (run("npm", ["ci", "--no-audit", "--no-fund"], { env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" } }) !== 0) {
    fail("npm ci failed");
  }
}

if (!existsSync(chromium)) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root) {
    fail(`${chromium} is missing; install Debian's chromium package (sudo apt-get install chromium) or set CHROMIUM_PATH`);
  }
  console.log("ensure-browser: installing Debian's chromium package");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { env }) !== 0) {
    // The package lists may be missing or stale on a new machine.
    run("apt-get", ["update", "-qq"], { env });
    run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { env });
  }
  if (!existsSync(chromium)) {
    fail(`${chromium} is still missing after apt-get install chromium; the status page tests cannot run`);
  }
}
const version = spawnSync(chromium, ["--version"], { encoding: "utf8" });
console.log(`ensure-browser: ${(version.stdout || "").trim() || chromium}`);
