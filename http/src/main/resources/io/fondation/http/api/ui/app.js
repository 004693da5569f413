// The Fondation worker's status page: no build step, no dependency. Everything shown comes from the API as
// data and is put into the page as text (textContent), never as HTML; the page's Content-Security-Policy
// allows only this file as script.
//
// Signing in: where the server has an API token, the person types it once into the sign-in form; it is posted
// in a JSON body to /api/session, which answers with an HttpOnly, SameSite=Strict session cookie. The page never
// keeps the token (not in storage, not in a URL), and no script can read the cookie.
"use strict";

(() => {
  const POLL_MS = 1000;
  const STEP_PREFIX = /^(?:Étape|Etape|Step)\s+\d+\s*\/\s*\d+\s*:\s*/;
  const $ = (id) => document.getElementById(id);
  const rows = new Map();
  let access = "none";
  let polling = null;

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, value);
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  async function call(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      const message = data && data.error ? data.error : "HTTP " + response.status;
      const error = new Error(data && data.field ? data.field + ": " + message : message);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function terminal(status) {
    return status === "completed" || status === "failed" || status === "canceled" || status === "dead";
  }

  // The step counter once: "3/6 Analyse des relations", not "3/6 Étape 3/6: Analyse des relations".
  function progressText(progress) {
    if (!progress) {
      return "waiting to start";
    }
    return progress.step + "/" + progress.totalSteps + " " + String(progress.message || "").replace(STEP_PREFIX, "");
  }

  // What the job's attempts cost in all, and of which cap, as `status` says it: "$0.40 of $1.00", "$0.40 (no limit)";
  // a dash when the queue keeps no costs.
  function costText(costUsd, maxCostUsd) {
    if (costUsd === null || costUsd === undefined) {
      return "\u2014";
    }
    const cost = "$" + Number(costUsd).toFixed(2);
    return maxCostUsd === null || maxCostUsd === undefined ? cost + " (no limit)" : cost + " of $" + Number(maxCostUsd).toFixed(2);
  }

  function render(job) {
    let row = rows.get(job.id);
    if (!row) {
      row = element("tr", { "data-job-id": job.id });
      const repository = element("td", { class: "repository" });
      repository.append(element("span", { class: "name" }), element("span", { class: "detail" }));
      const status = element("td", { class: "status" });
      status.append(element("span", { class: "badge" }));
      const progress = element("td", { class: "progress" });
      progress.append(element("progress", { max: "6", value: "0" }), element("span", { class: "text" }),
        element("span", { class: "error" }));
      const attempts = element("td", { class: "attempts" });
      const cost = element("td", { class: "cost" });
      const actions = element("td", { class: "actions" });
      const cancel = element("button", { type: "button", class: "cancel" }, "Cancel");
      cancel.addEventListener("click", () => cancelJob(job.id, cancel));
      const course = element("a", { class: "course-link", href: "/ui/jobs/" + encodeURIComponent(job.id) },
        "Read the course");
      actions.append(cancel, course);
      row.append(repository, status, progress, attempts, cost, actions);
      rows.set(job.id, row);
    }
    row.dataset.status = job.status;
    row.querySelector(".repository .name").textContent = job.repository;
    row.querySelector(".repository .detail").textContent =
      (job.branch ? "branch " + job.branch + " · " : "") + "job " + job.id.slice(0, 8);
    const badge = row.querySelector(".status .badge");
    badge.textContent = job.status;
    badge.className = "badge badge-" + job.status;
    const bar = row.querySelector("progress");
    const progress = job.progress;
    bar.max = progress ? progress.totalSteps : 6;
    bar.value = progress ? progress.step : 0;
    row.querySelector(".progress .text").textContent = progressText(progress);
    row.querySelector(".progress .error").textContent =
      job.error && !(job.status === "completed") ? job.error.split("\n")[0] : "";
    // The attempts as the row says them.
    row.querySelector(".attempts").textContent = job.attempts + "/" + job.maxAttempts;
    row.querySelector(".cost").textContent = costText(job.costUsd, job.maxCostUsd);
    row.querySelector(".cancel").hidden = terminal(job.status) || access !== "write";
    row.querySelector(".course-link").hidden = job.status !== "completed";
    return row;
  }

  async function refresh() {
    polling = null;
    try {
      const data = await call("GET", "/api/jobs?limit=25");
      const body = $("jobs-body");
      const seen = new Set();
      data.jobs.forEach((job, index) => {
        const row = render(job);
        seen.add(job.id);
        if (body.children[index] !== row) {
          body.insertBefore(row, body.children[index] || null);
        }
      });
      for (const [id, row] of rows) {
        if (!seen.has(id)) {
          row.remove();
          rows.delete(id);
        }
      }
      $("no-jobs").hidden = data.jobs.length > 0;
      $("jobs-message").textContent = "";
    } catch (e) {
      if (e.status === 401) {
        start(); // the sign-in ended (expired, or the worker restarted)
        return;
      }
      $("jobs-message").textContent = "Cannot list the jobs: " + e.message;
    }
    polling = setTimeout(refresh, document.hidden ? POLL_MS * 5 : POLL_MS);
  }

  async function cancelJob(id, button) {
    button.disabled = true;
    try {
      render(await call("POST", "/api/jobs/" + encodeURIComponent(id) + "/cancel", {}));
    } catch (e) {
      $("jobs-message").textContent = "Cannot cancel: " + e.message;
    } finally {
      button.disabled = false;
    }
  }

  async function submit(event) {
    event.preventDefault();
    const message = $("form-message");
    const repositoryUrl = $("repository").value.trim();
    const branch = $("branch").value.trim();
    if (!repositoryUrl) {
      message.textContent = "Give a repository: a URL, owner/name or a path.";
      return;
    }
    $("submit").disabled = true;
    message.textContent = "Submitting…";
    try {
      const body = { repositoryUrl };
      if (branch) {
        body.branch = branch;
      }
      const job = await call("POST", "/api/jobs", body);
      message.textContent = "Queued as job " + job.id.slice(0, 8) + ".";
      $("repository").value = "";
      const row = render(job);
      $("jobs-body").prepend(row);
      $("no-jobs").hidden = true;
    } catch (e) {
      message.textContent = "Not queued: " + e.message;
    } finally {
      $("submit").disabled = false;
    }
  }

  async function signIn(event) {
    event.preventDefault();
    const input = $("token");
    const token = input.value.trim();
    if (!token) {
      $("sign-in-message").textContent = "Give the API token.";
      return;
    }
    $("sign-in-button").disabled = true;
    try {
      await call("POST", "/api/session", { token });
      $("sign-in-message").textContent = "";
      start();
    } catch (e) {
      $("sign-in-message").textContent = "Not signed in: " + e.message;
    } finally {
      input.value = ""; // the token is not kept in the page
      $("sign-in-button").disabled = false;
    }
  }

  async function signOut() {
    try {
      await call("DELETE", "/api/session");
    } catch (e) {
      $("jobs-message").textContent = "Cannot sign out: " + e.message;
    }
    start();
  }

  async function start() {
    if (polling !== null) {
      clearTimeout(polling);
      polling = null;
    }
    let info;
    try {
      info = await call("GET", "/api/info");
    } catch (e) {
      $("server-info").textContent = "Cannot reach the worker: " + e.message;
      return;
    }
    access = info.access;
    $("sign-in").hidden = access !== "none";
    $("submit-panel").hidden = access !== "write";
    $("jobs-panel").hidden = access === "none";
    $("sign-out").hidden = !info.authRequired || access === "none";
    $("server-info").textContent = "Queue: " + info.queue +
      (info.allowLocalRepositories ? " · local repositories allowed" : "") +
      (!info.authRequired ? "" : access === "none" ? " · sign in with the API token"
        : access === "read" ? " · signed in, read only" : " · signed in");
    if (access !== "none") {
      refresh();
    }
  }

  $("submit-form").addEventListener("submit", submit);
  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  start();
})();
