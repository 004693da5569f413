// A stand-in for the Fondation CLI that behaves as shared/reference/fondation-system.md §2 says the real one does,
// --steps included, and that logs each step it runs and each LLM request it would make, so tests can count them.
// Java side: io.fondation.clibridge.testing.FondationCliFixture (cli-bridge's test-jar) installs it and reads its log.
//
//   node dist/cli.bundled.mjs analyze <repo> --profile production [-o|--output-dir D] [-m|--model M]
//        [-s|--steps extract,analyze,order,generate-chapters,review-chapters,generate-tutorials] [--overwrite]
//
// As the reference says:
// - --steps really filters; the listed steps always run in the order extract, analyze, order, generate-chapters,
//   review-chapters, generate-tutorials; unknown names run nothing (`--steps bogus` runs nothing and exits 0);
// - a step reads the earlier ones only from files in the output directory (step 2 reads step1_abstractions.yaml,
//   step 3 steps 1 and 2, step 4 the order, step 5 lists chapters/, step 6 lists reviewed-chapters/);
// - steps 1-3 rewrite their YAML whenever they are listed (one request each);
// - steps 4-6 write each Markdown file themselves after that file's request and skip, file by file, a file that
//   exists, an empty one too (a 0-byte chapter stays empty and is reviewed from empty content); an empty model answer
//   is written as "(no content)"; --overwrite has no effect;
// - progress on stdout as JSON lines `[FONDATION_STEP_N/T] <step message>`, T the number of comma-separated --steps
//   items (unknown ones included, 6 without --steps), N counting the steps run;
// - exit 0 on success; on failure only {"level":"error",...,"msg":"Analysis failed"} on stdout and the detail on
//   stderr, exit 1; an unknown --profile exits 1 with no output at all; a relative --output-dir is resolved against the
//   repository; the default output directory is $CLAUDE_OUTPUT_DIR or <repo>/.claude-tutorial-output.
// Where the reference is silent, this fixture chooses (and cli-bridge's FondationCliFixture says so): the profiles it
// knows (production, development, test); chapter files are numbered 1..N by their place in the order
// (chapters/chapter_<n>_<slug>.md, "# Chapter <n>: <name>"); one tutorial per reviewed chapter
// (tutorials/tutorial_<n>_<slug>.md, "# Interactive Tutorial: <name>"); a step whose input file is missing fails;
// requests run one after the other (the real CLI runs chapters in parallel).
//
// What it writes is a pure function of the repository's top-level entries and of the input files it reads, so a
// resumed run ends with the same bytes as an uninterrupted one.
//
// Test controls, all optional:
//   FONDATION_CLI_FIXTURE_DIR=D  appends one JSON object per line to D/events.ndjson:
//       {"event":"start","pid","steps":[...],"total"} {"event":"step","step":4,"name":"generate-chapters"}
//       {"event":"request","step":4,"file":"chapters/chapter_1_x.md"} {"event":"skip","step":4,"file":...}
//       {"event":"paused",...} {"event":"exit","code":0}
//   and reads D/control.json once (it renames it to control.<pid>.json, so it steers one run):
//       {"pause": {"step": 5, "after": 1}}   after that many requests of that step (0: at its start), writes
//                                            D/paused and waits until D/release exists (or it is killed); then
//                                            removes D/paused
//       {"fail": {"step": 6, "after": 0, "error": "rate-limit" | "overloaded" | "<any text>"}}
//       {"empty": ["chapters/chapter_2_src.md"]}   the model answers nothing for those files
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

const STEPS = ["extract", "analyze", "order", "generate-chapters", "review-chapters", "generate-tutorials"];
const MESSAGES = [
  "Extracting core abstractions from codebase",
  "Analyzing relationships between components",
  "Determining optimal chapter order",
  "Generating chapter content",
  "Reviewing and enhancing chapters",
  "Generating interactive tutorials",
];
const PROFILES = ["production", "development", "test"];

const args = process.argv.slice(2);
if (args[0] !== "analyze" || !args[1] || args[1].startsWith("-")) {
  console.error("usage: cli analyze <repo> --profile <profile> [--output-dir D] [--model M] [--steps S]");
  process.exit(1);
}
const repo = resolve(args[1]);
const options = {};
for (let i = 2; i < args.length; i++) {
  const arg = args[i];
  const name = { "-o": "output-dir", "-m": "model", "-s": "steps" }[arg] ?? (arg.startsWith("--") ? arg.slice(2) : null);
  if (name === "overwrite") continue; // accepted, no effect in this version
  if (!["profile", "output-dir", "model", "steps"].includes(name) || i + 1 >= args.length) {
    console.error(`error: unknown option '${arg}'`);
    process.exit(1);
  }
  options[name] = args[++i];
}
if (!PROFILES.includes(options.profile ?? "production")) process.exit(1); // no output at all, as the real CLI

const out = options["output-dir"]
  ? isAbsolute(options["output-dir"]) ? options["output-dir"] : resolve(repo, options["output-dir"])
  : process.env.CLAUDE_OUTPUT_DIR ?? join(repo, ".claude-tutorial-output");
const listed = options.steps === undefined ? STEPS : options.steps.split(",");
const total = listed.length;
const selected = STEPS.filter((step) => listed.includes(step));

const fixtureDir = process.env.FONDATION_CLI_FIXTURE_DIR;
const record = (event) => {
  if (fixtureDir) appendFileSync(join(fixtureDir, "events.ndjson"), `${JSON.stringify({ pid: process.pid, ...event })}\n`);
};
const control = (() => {
  if (!fixtureDir || !existsSync(join(fixtureDir, "control.json"))) return {};
  const used = join(fixtureDir, `control.${process.pid}.json`);
  renameSync(join(fixtureDir, "control.json"), used);
  return JSON.parse(readFileSync(used, "utf8"));
})();

const log = (level, msg) => console.log(JSON.stringify({ level, time: Date.now(), context: "analyze", msg }));
const fail = (detail) => {
  log("error", "Analysis failed");
  console.error(detail);
  record({ event: "exit", code: 1, error: detail });
  process.exit(1);
};
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const ERRORS = {
  "rate-limit": 'API Error: Request rejected (429) · {"type":"error","error":{"type":"rate_limit_error","message":"Rate limited"}}',
  overloaded: "API Error: 529 Overloaded. This is a server-side issue, usually temporary - try again in a moment.",
};

/** Before each request of `step`: the pause and the failure the control asks for. */
let requestsInStep = 0;
async function beforeRequest(step) {
  const pause = control.pause;
  if (pause && pause.step === step && (pause.after ?? 0) === requestsInStep) {
    rmSync(join(fixtureDir, "release"), { force: true });
    writeFileSync(join(fixtureDir, "paused"), JSON.stringify({ pid: process.pid, step, after: requestsInStep }));
    record({ event: "paused", step, after: requestsInStep });
    while (!existsSync(join(fixtureDir, "release"))) await sleep(20);
    rmSync(join(fixtureDir, "paused"), { force: true });
  }
  const failure = control.fail;
  if (failure && failure.step === step && (failure.after ?? 0) === requestsInStep) {
    fail(ERRORS[failure.error] ?? failure.error ?? "API Error: 500 Internal server error");
  }
}

/** One LLM request for `file`, answered with `text` (or nothing, when the control says so). */
async function request(step, file, text) {
  await beforeRequest(step);
  requestsInStep++;
  record({ event: "request", step, file });
  return (control.empty ?? []).includes(file) ? "" : text;
}

const path = (file) => join(out, file);
const read = (file) => {
  if (!existsSync(path(file))) fail(`Error: ${file} not found in ${out}`);
  return readFileSync(path(file), "utf8");
};
const write = (file, text) => {
  mkdirSync(dirname(path(file)), { recursive: true });
  writeFileSync(path(file), text);
};
const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "chapter";
const quoted = (text) => JSON.stringify(text);
/** The `- name: "..."` entries of a step file this fixture wrote, with the fields that follow each. */
const entries = (file) => {
  const list = [];
  for (const line of read(file).split("\n")) {
    const start = /^- (\w+): (.*)$/.exec(line);
    const field = /^ {2}(\w+): (.*)$/.exec(line);
    const match = start ?? field;
    if (match === null) continue;
    if (start) list.push({});
    if (list.length === 0) fail(`Error: ${file} is not a list`);
    try {
      list[list.length - 1][match[1]] = JSON.parse(match[2]);
    } catch {
      fail(`Error: ${file}: cannot read ${match[1]}`);
    }
  }
  if (list.length === 0) fail(`Error: ${file} lists nothing`);
  return list;
};
const markdownIn = (dir) =>
  existsSync(path(dir))
    ? readdirSync(path(dir))
        .filter((name) => name.endsWith(".md"))
        .sort((a, b) => (parseInt(/\d+/.exec(a)?.[0] ?? "0", 10) - parseInt(/\d+/.exec(b)?.[0] ?? "0", 10)) || (a < b ? -1 : 1))
    : [];
const heading = (text) => /^# (.*)$/m.exec(text)?.[1] ?? "";

const RUN = {
  async extract() {
    const names = readdirSync(repo)
      .filter((name) => !name.startsWith(".") && resolve(repo, name) !== resolve(out))
      .sort()
      .slice(0, 6);
    const parts = (names.length > 0 ? names : ["Overview"]).map((name) =>
      [`- name: ${quoted(name)}`, `  description: ${quoted(`What ${name} holds and why it matters.`)}`, `  file_paths: ${quoted([name])}`].join("\n"),
    );
    // The model writes the file with its Write tool; the CLI only checks that it exists.
    write("step1_abstractions.yaml", await request(1, "step1_abstractions.yaml", `${parts.join("\n")}\n`));
  },
  async analyze() {
    const abstractions = entries("step1_abstractions.yaml");
    const lines = [`summary: ${quoted(`${abstractions.length} parts that work together.`)}`, "relationships:"];
    for (let i = 1; i < abstractions.length; i++) {
      lines.push(`  - from_abstraction: ${i}`, `    to_abstraction: ${i - 1}`, "    label: Uses", `    evidence: ${quoted(abstractions[i].name)}`);
    }
    if (abstractions.length < 2) lines[1] = "relationships: []";
    write("step2_relationships.yaml", await request(2, "step2_relationships.yaml", `${lines.join("\n")}\n`));
  },
  async order() {
    const abstractions = entries("step1_abstractions.yaml");
    read("step2_relationships.yaml");
    const lines = ["order:"];
    abstractions.forEach((abstraction, index) =>
      lines.push(`  - index: ${index}`, `    name: ${quoted(abstraction.name)}`, `    reasoning: ${quoted(`Place ${index + 1}.`)}`),
    );
    write("step3_order.yaml", await request(3, "step3_order.yaml", `${lines.join("\n")}\n`));
  },
  async "generate-chapters"() {
    const abstractions = entries("step1_abstractions.yaml");
    const order = read("step3_order.yaml")
      .split("\n")
      .map((line) => /^ {2}- index: (\d+)$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => abstractions[Number(match[1])] ?? fail(`Error: step3_order.yaml: no abstraction ${match[1]}`));
    for (const [position, abstraction] of order.entries()) {
      const n = position + 1;
      const file = `chapters/chapter_${n}_${slug(abstraction.name)}.md`;
      if (existsSync(path(file))) {
        record({ event: "skip", step: 4, file });
        continue;
      }
      const text = `# Chapter ${n}: ${abstraction.name}\n\n${abstraction.description}\n\nSee ${abstraction.file_paths.join(", ")}.\n`;
      write(file, (await request(4, file, text)) || "(no content)");
    }
  },
  async "review-chapters"() {
    for (const name of markdownIn("chapters")) {
      const file = `reviewed-chapters/${name}`;
      if (existsSync(path(file))) {
        record({ event: "skip", step: 5, file });
        continue;
      }
      const chapter = readFileSync(path(`chapters/${name}`), "utf8");
      write(file, (await request(5, file, `${chapter.trimEnd()}\n\nReviewed: every example checked.\n`)) || "(no content)");
    }
  },
  async "generate-tutorials"() {
    for (const name of markdownIn("reviewed-chapters")) {
      const reviewed = readFileSync(path(`reviewed-chapters/${name}`), "utf8");
      const title = heading(reviewed).replace(/^Chapter \d+: /, "") || name.replace(/\.md$/, "");
      const n = /\d+/.exec(name)?.[0] ?? "0";
      const file = `tutorials/tutorial_${n}_${slug(title)}.md`;
      if (existsSync(path(file))) {
        record({ event: "skip", step: 6, file });
        continue;
      }
      const text = `# Interactive Tutorial: ${title}\n\n1. Open the code of ${title}.\n2. Change one line and observe.\n`;
      write(file, (await request(6, file, text)) || "(no content)");
    }
  },
};

record({ event: "start", steps: selected, total });
log("info", `Starting analysis of ${repo}`);
mkdirSync(out, { recursive: true });
let ran = 0;
for (const step of selected) {
  const number = STEPS.indexOf(step) + 1;
  ran++;
  log("info", `[FONDATION_STEP_${ran}/${total}] ${MESSAGES[number - 1]}`);
  record({ event: "step", step: number, name: step });
  requestsInStep = 0;
  await RUN[step]();
}
log("info", "Analysis complete");
record({ event: "exit", code: 0 });
