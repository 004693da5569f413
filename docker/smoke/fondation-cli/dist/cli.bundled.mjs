// A stand-in for the Fondation CLI bundle, for docker/smoke-test.sh: same arguments, progress lines
// and output layout as the real one, run by the image's Node.js. On purpose it leaves orphans behind:
// before it exits it starts a shell that backgrounds a subshell and exits at once, so that subshell
// (and its sleep) is re-parented to PID 1. Without an init reaping them they end as zombies.
// A repository with a file named SLOW makes it stop after step 1 and wait to be killed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
if (args[0] !== "analyze" || !args[1]) {
  console.error("usage: cli analyze <repo> --profile <profile> [--output-dir D]");
  process.exit(2);
}
const repo = args[1];
const option = (name) => {
  const i = args.indexOf(name);
  return i > 0 ? args[i + 1] : undefined;
};
const out = option("--output-dir") ?? join(repo, ".claude-tutorial-output");
const log = (msg) => console.log(JSON.stringify({ level: "info", time: Date.now(), context: "analyze", msg }));
const step = (n, text) => log(`[FONDATION_STEP_${n}/6] ${text}`);
const write = (path, text) => {
  mkdirSync(join(out, path, ".."), { recursive: true });
  writeFileSync(join(out, path), text);
};

log(`Starting analysis of ${repo} (profile ${option("--profile")}, node ${process.version})`);
step(1, "Extracting core abstractions from codebase");
if (existsSync(join(repo, "SLOW"))) {
  setInterval(() => {}, 1000); // until the worker kills the process tree
} else {
  write("step1_abstractions.yaml", "- name: Smoke\n  description: A tiny repository.\n  file_paths: [src/app.py]\n");
  step(2, "Analyzing relationships between components");
  write("step2_relationships.yaml", "summary: One part.\nrelationships: []\n");
  step(3, "Determining optimal chapter order");
  write("step3_order.yaml", "order:\n  - index: 0\n    name: Smoke\n    reasoning: The only one.\n");
  step(4, "Generating chapter content");
  write("chapters/chapter_1_smoke.md", "# Chapter 1: Smoke\n\nA tiny repository.\n");
  step(5, "Reviewing and enhancing chapters");
  write("reviewed-chapters/chapter_1_smoke.md", "# Chapter 1: Smoke\n\nReviewed.\n");
  step(6, "Generating interactive tutorials");
  write("tutorials/tutorial_1_smoke.md", "# Interactive Tutorial: Smoke\n\nTry it.\n");
  // The double fork: sh backgrounds a subshell and exits; the subshell outlives it by a moment.
  spawnSync("/bin/sh", ["-c", "(sleep 2; true) </dev/null >/dev/null 2>&1 & exit 0"], { stdio: "ignore" });
  log("Analysis complete");
}
