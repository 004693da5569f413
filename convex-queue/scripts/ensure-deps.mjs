// Makes sure node_modules matches package-lock.json before the tests run (Maven's
// generate-test-resources phase runs this; so can a developer). Installs with `npm ci` only when
// node_modules is missing or older than the lock file, so repeated builds stay fast and offline.
//
// Usage: node scripts/ensure-deps.mjs
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MIN_NODE_MAJOR = 20;

function fail(message) {
  console.error(`ensure-deps: ${message}`);
  process.exit(1);
}

const major = Number(process.versions.node.split(".")[0]);
if (major < MIN_NODE_MAJOR) {
  fail(`Node.js ${MIN_NODE_MAJOR}+ is required (convex and vitest need it); this is ${process.version}`);
}

const lock = join(root, "package-lock.json");
// npm writes node_modules/.package-lock.json on every install; its age tells whether the
// install is at least as new as the lock file.
const installed = join(root, "node_modules", ".package-lock.json");
const needed = ["convex", "convex-test", "tsx", "vitest", "typescript", "eslint", "typescript-eslint", "@convex-dev/eslint-plugin"].map((name) => join(root, "node_modules", name, "package.json"));

const upToDate =
  existsSync(installed) &&
  statSync(installed).mtimeMs >= statSync(lock).mtimeMs &&
  needed.every((file) => existsSync(file));

if (upToDate) {
  console.log("ensure-deps: node_modules is up to date");
  process.exit(0);
}

console.log("ensure-deps: installing node_modules with npm ci");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], {
  cwd: root,
  stdio: "inherit",
  // npm.cmd needs a shell on Windows since Node 20.12; elsewhere no shell is involved.
  shell: process.platform === "win32",
});
if (result.error) {
  fail(`cannot run npm (${result.error.message}); install npm with Node.js ${MIN_NODE_MAJOR}+`);
}
if (result.status !== 0) {
  fail(`npm ci failed with exit code ${result.status}`);
}
