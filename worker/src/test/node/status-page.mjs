// Drives the worker's status page in headless Chromium, as a person would: submit a repository, watch its progress
// change to completed, open the course, read a chapter, and check that a document carrying <script> stayed inert.
//
// Usage: FONDATION_API_TOKEN=... node status-page.mjs <baseUrl> <repositoryPath> <screenshotDir>
// The token comes in the environment, never on the command line. The page is signed in with it first.
// Exit 0 when every check passed; otherwise it prints what failed and exits 1.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [baseUrl, repository, shots] = process.argv.slice(2);
if (!baseUrl || !repository || !shots) {
  console.error("usage: node status-page.mjs <baseUrl> <repositoryPath> <screenshotDir>");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const token = process.env.FONDATION_API_TOKEN;
if (!token) {
  console.error("FONDATION_API_TOKEN is not set");
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), "fondation-chromium-"));
const problems = [];
const check = (ok, message) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${message}`);
  if (!ok) problems.push(message);
};

const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 900 },
});
const violations = [];
const dialogs = [];
try {
  const page = context.pages()[0] || (await context.newPage());
  page.on("dialog", (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => problems.push("page error: " + error.message));

  await page.goto(baseUrl + "/ui/");
  await page.waitForSelector("#server-info:not(:has-text('Connecting'))");
  check((await page.textContent("#server-info")).includes("Queue: embedded"), "the page says which queue it serves");

  // Signed out, the page shows the sign-in form only.
  check(await page.locator("#sign-in").isVisible(), "a server with a token asks for it first");
  check(await page.locator("#jobs-panel").isHidden() && await page.locator("#submit-panel").isHidden(),
    "nothing of the jobs shows before signing in");
  await page.fill("#token", "wrong-token-wrong-token");
  await page.click("#sign-in-button");
  await page.waitForSelector("#sign-in-message:has-text('Not signed in')");
  await page.fill("#token", token);
  await page.click("#sign-in-button");
  await page.waitForSelector("#submit-panel:not([hidden])");
  check((await page.textContent("#server-info")).includes("signed in"), "the page says it is signed in");
  check(await page.inputValue("#token") === "", "the token is not kept in the form");
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })
    + document.cookie + location.href);
  check(!stored.includes(token), "the token is in no storage, no script-readable cookie and not the URL");
  const cookies = await context.cookies(baseUrl);
  const session = cookies.find((c) => c.name.startsWith("fondation_session_"));
  check(Boolean(session) && session.httpOnly && session.sameSite === "Strict" && session.value !== token,
    "the sign-in is an HttpOnly, SameSite=Strict session cookie that is not the token");

  // Record every status and progress text the job's row shows, as the page updates it.
  await page.evaluate(() => {
    window.__seen = [];
    new MutationObserver(() => {
      for (const row of document.querySelectorAll("#jobs-body tr")) {
        const entry = row.dataset.status + " | " + row.querySelector(".progress .text").textContent;
        if (window.__seen[window.__seen.length - 1] !== entry) window.__seen.push(entry);
      }
    }).observe(document.getElementById("jobs-body"), { subtree: true, childList: true, characterData: true, attributes: true });
  });

  // A job held at step 3 whose message is the analyzer's "Étape 3/6: ...": the counter shows once.
  const held = process.env.FONDATION_HELD_JOB;
  const heldText = page.locator(`tr[data-job-id="${held}"] .progress .text`);
  await heldText.waitFor();
  const heldShown = await heldText.textContent();
  check(heldShown === "3/6 Détermination de l'ordre optimal des chapitres",
    "the step counter shows once, with the progress words as the web app shows them: " + heldShown);

  // Each job's cost in all, and its cap when it has one, as `status` says it.
  const costed = process.env.FONDATION_COSTED_JOB;
  const costedCost = await page.locator(`tr[data-job-id="${costed}"] .cost`).textContent();
  check(costedCost === "$0.40 of $1.00", "a job's cost in all shows with its cap: " + costedCost);
  const heldCost = await page.locator(`tr[data-job-id="${held}"] .cost`).textContent();
  check(heldCost === "$0.00 (no limit)", "a job without a cap shows its cost and no limit: " + heldCost);

  await page.fill("#repository", repository);
  await page.click("#submit");
  await page.waitForSelector("#form-message:has-text('Queued as job')");
  const row = page.locator("#jobs-body tr").first();
  const jobId = await row.getAttribute("data-job-id");
  check(Boolean(jobId), "the submitted job appears in the list at once");
  await page.screenshot({ path: join(shots, "1-submitted.png"), fullPage: true });

  await page.waitForSelector(`tr[data-job-id="${jobId}"][data-status="completed"]`, { timeout: 120000 });
  await page.screenshot({ path: join(shots, "2-completed.png"), fullPage: true });
  const seen = await page.evaluate(() => window.__seen);
  console.log("statuses seen: " + JSON.stringify(seen));
  const statuses = seen.map((entry) => entry.split(" | ")[0]);
  check(statuses[0] !== "completed" && statuses.includes("completed"), "the status changed from " + statuses[0] + " to completed");
  check(new Set(seen.map((entry) => entry.split(" | ")[1])).size >= 2, "the progress text changed while the job ran");
  check((await row.locator(".progress .text").textContent()).startsWith("6/6"), "the completed job shows step 6/6");
  check(seen.every((entry) => !/\d+\/\d+ (Étape|Etape|Step) \d+\/\d+/.test(entry)),
    "the step counter shows once in every progress text: " + seen.map((entry) => entry.split(" | ")[1]).join("; "));
  check(await row.locator("button.cancel").isHidden(), "a completed job has no cancel button");

  await row.locator("a.course-link").click();
  await page.waitForSelector("main.course-body");
  const chapter = page.locator("section#chapters article.doc").first();
  const heading = await chapter.locator("h1").first().textContent();
  check(/^Chapter 1: /.test(heading), "the course opens on chapter 1: " + heading);
  const tocEntries = await page.locator("nav.toc a").count();
  check(tocEntries >= 3, "the contents list the documents (" + tocEntries + " entries)");
  check((await page.locator("section#tutorials article.doc").count()) >= 1, "the tutorials are rendered");
  check((await chapter.locator("table").count()) >= 1, "Markdown tables are rendered as tables");
  await page.screenshot({ path: join(shots, "3-course.png") });
  await page.screenshot({ path: join(shots, "3-course-full.png"), fullPage: true });

  // The repository's README carries HTML that must stay text.
  const text = await page.locator("main.course-body").innerText();
  check(text.includes("<script>window.__fondationPwned = 1</script>"), "the README's <script> shows as text");
  check(text.includes("onerror"), "the README's onerror attribute shows as text");
  check(await page.evaluate(() => window.__fondationPwned === undefined), "no script from the document ran");
  check(await page.evaluate(() => document.querySelectorAll("main script, main img[onerror], main [onclick]").length === 0),
    "the document put no script or event handler into the page");
  check(await page.evaluate(() => [...document.querySelectorAll("main a")].every((a) => !/^javascript:/i.test(a.getAttribute("href") || ""))),
    "no javascript: link survived");
  await page.locator("main a", { hasText: "click me" }).first().click({ trial: false }).catch(() => {});
  check(dialogs.length === 0, "clicking the document's links opened no dialog");
  check(await page.evaluate(() => window.__fondationPwned === undefined), "still no script ran after clicking");
  check(violations.length === 0, "no Content-Security-Policy violation (nothing tried to run inline): " + violations.join("; "));

  // Back to the list: the job is there, with its course link.
  await page.goto(baseUrl + "/ui/");
  await page.waitForSelector(`tr[data-job-id="${jobId}"]`);
  await page.screenshot({ path: join(shots, "4-list.png"), fullPage: true });
} catch (error) {
  problems.push(String(error && error.stack ? error.stack : error));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error("status page checks failed:\n  " + problems.join("\n  "));
  process.exit(1);
}
console.log("status page checks passed");
