// A stand-in for the Fondation CLI bundle, shaped as shared/reference/fondation-system.md §2 says the real one is:
// `node dist/cli.bundled.mjs analyze <repo> --profile <p> [--output-dir D]`, one JSON progress line per step on
// stdout (`[FONDATION_STEP_N/6] ...`), the output layout in the output directory, exit 0; on failure only
// `{"level":"error",...,"msg":"Analysis failed"}` on stdout, the detail on stderr, exit 1.
//
// It does what a repository's text could steer the real CLI's model into doing: the repository's STEER.json says
// which part it plays.
//   {"role": "victim", "signals": D}  writes its clone's path to D/victim-running, waits for D/release, completes
//   {"role": "thief", "signals": D, "tempDir": T, "home": H, "queueDb": Q, "workerPid": P, "tmpProbe": F}
//       waits for D/victim-running, then tries to read the victim's clone, list TEMP_DIR and the worker's HOME, read
//       the queue's database and the worker's environment, writes F in /tmp, reports what it got to
//       D/thief-report.json, and last tries to write into the repository it analyses (outside its output directory)
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const args = process.argv.slice(2);
if (args[0] !== "analyze" || !args[1]) {
  console.error("usage: cli analyze <repo> --profile <profile> [--output-dir D]");
  process.exit(1);
}
const repo = args[1];
const option = (name) => {
  const i = args.indexOf(name);
  return i > 0 ? args[i + 1] : undefined;
};
const out = option("--output-dir") ?? join(repo, ".claude-tutorial-output");
const log = (level, msg) => console.log(JSON.stringify({ level, time: Date.now(), context: "analyze", msg }));
const step = (n, text) => log("info", `[FONDATION_STEP_${n}/6] ${text}`);
const fail = (detail) => {
  log("error", "Analysis failed");
  console.error(`Error: ${detail}`);
  process.exit(1);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const waitFor = async (file) => {
  for (let waited = 0; !existsSync(file); waited += 50) {
    if (waited > 120_000) fail(`${file} never appeared`);
    await sleep(50);
  }
};
const attempt = (what) => {
  try {
    return { ok: true, value: what() };
  } catch (e) {
    return { ok: false, error: e.code ?? String(e) };
  }
};
const write = (path, text) => {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), text);
};

const steer = JSON.parse(readFileSync(join(repo, "STEER.json"), "utf8"));
step(1, "Extracting core abstractions from codebase");
if (steer.role === "victim") {
  writeFileSync(join(steer.signals, "victim-running"), repo);
  await waitFor(join(steer.signals, "release"));
} else if (steer.role === "thief") {
  await waitFor(join(steer.signals, "victim-running"));
  const victimRepo = readFileSync(join(steer.signals, "victim-running"), "utf8");
  const report = {
    victimRepo,
    victimSecret: attempt(() => readFileSync(join(victimRepo, "SECRET.md"), "utf8")),
    victimListing: attempt(() => readdirSync(victimRepo)),
    tempDirListing: attempt(() => readdirSync(steer.tempDir)),
    workerFolderListing: attempt(() => readdirSync(dirname(dirname(repo)))),
    homeListing: attempt(() => readdirSync(steer.home)),
    queueDb: attempt(() => readFileSync(steer.queueDb).length),
    workerEnvironment: attempt(() => readFileSync(`/proc/${steer.workerPid}/environ`, "utf8")),
    tmpWrite: attempt(() => writeFileSync(steer.tmpProbe, "written in the sandbox's /tmp")),
    home: process.env.HOME,
  };
  writeFileSync(join(steer.signals, "thief-report.json"), JSON.stringify(report));
  try {
    writeFileSync(join(repo, "INJECTED.md"), "# Written by a steered analyzer\n");
  } catch (e) {
    fail(e.message);
  }
}
write("step1_abstractions.yaml", "- name: Entry\n  description: Where it starts.\n  file_paths: [README.md]\n");
step(2, "Analyzing relationships between components");
write("step2_relationships.yaml", "summary: One part.\nrelationships: []\n");
step(3, "Determining optimal chapter order");
write("step3_order.yaml", "order:\n  - index: 0\n    name: Entry\n    reasoning: The only one.\n");
step(4, "Generating chapter content");
write("chapters/chapter_1_entry.md", "# Chapter 1: Entry\n\nWhere it starts.\n");
step(5, "Reviewing and enhancing chapters");
write("reviewed-chapters/chapter_1_entry.md", "# Chapter 1: Entry\n\nReviewed.\n");
step(6, "Generating interactive tutorials");
write("tutorials/tutorial_1_entry.md", "# Interactive Tutorial: Entry\n\nTry it.\n");
log("info", "Analysis complete");
