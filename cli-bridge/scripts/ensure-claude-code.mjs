// Makes sure the pinned Claude Code CLI (claude-code/package.json) is installed before the tests
// run: Maven's generate-test-resources phase runs this (so can a developer). It installs with
// `npm ci` only when node_modules is missing, older than the lock file, or holds another version,
// so repeated builds stay fast and offline (the platform package is ~380 MB). Then it writes where
// the binary is to the given properties file, which the tests (and, through cli-bridge's test-jar,
// the worker's tests) read. A CLI that cannot be installed or run fails the build.
//
// Usage: node scripts/ensure-claude-code.mjs <properties-file>
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "claude-code");
const PACKAGE = "@anthropic-ai/claude-code";

function fail(message) {
  console.error(`ensure-claude-code: ${message}`);
  process.exit(1);
}

const target = process.argv[2];
if (!target) {
  fail("usage: node scripts/ensure-claude-code.mjs <properties-file>");
}
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).dependencies[PACKAGE];
const lock = join(root, "package-lock.json");
// npm writes node_modules/.package-lock.json on every install; its age tells whether the install is
// at least as new as the lock file.
const installedLock = join(root, "node_modules", ".package-lock.json");
const installedPackage = join(root, "node_modules", PACKAGE, "package.json");

function installedVersion() {
  return existsSync(installedPackage) ? JSON.parse(readFileSync(installedPackage, "utf8")).version : null;
}

// The npm entry point, else the platform package's binary itself (npm may not run the
// postinstall that links them; the binary runs the same from there).
function candidates() {
  const platform = `${process.platform}-${process.arch}`;
  return [
    join(root, "node_modules", ".bin", "claude"),
    join(root, "node_modules", `${PACKAGE}-${platform}`, "claude"),
    join(root, "node_modules", `${PACKAGE}-${platform}-musl`, "claude"),
  ];
}

function runnable() {
  for (const executable of candidates()) {
    if (!existsSync(executable)) continue;
    const result = spawnSync(executable, ["--version"], {
      encoding: "utf8",
      timeout: 60_000,
      // A throw-away HOME: --version must not touch the developer's ~/.claude.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(root, "node_modules", ".home"), DISABLE_AUTOUPDATER: "1" },
    });
    if (result.status === 0 && result.stdout.startsWith(pinned)) {
      return executable;
    }
  }
  return null;
}

const upToDate =
  existsSync(installedLock) && statSync(installedLock).mtimeMs >= statSync(lock).mtimeMs && installedVersion() === pinned;

let executable = upToDate ? runnable() : null;
if (executable) {
  console.log(`ensure-claude-code: ${PACKAGE} ${pinned} is installed`);
} else {
  console.log(`ensure-claude-code: installing ${PACKAGE} ${pinned} with npm ci (about 400 MB the first time)`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (result.error) {
    fail(`cannot run npm (${result.error.message}); install Node.js with npm`);
  }
  if (result.status !== 0) {
    fail(`npm ci failed with exit code ${result.status}`);
  }
  executable = runnable();
  if (!executable) {
    fail(`${PACKAGE} ${pinned} was installed but no binary of it runs here (looked at ${candidates().join(", ")})`);
  }
}
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `# Written by scripts/ensure-claude-code.mjs\nversion=${pinned}\nexecutable=${executable}\n`);
