package io.fondation.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.engine.git.GitHttpServer;
import io.fondation.engine.git.TestRepositories;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every benchmark of issue 13, one after the other, written to {@code docs/performance.md} with its plots
 * ({@code docs/performance-*.png}). Run with {@code ./mvnw -Pbenchmarks verify}; not part of {@code ./mvnw verify}.
 */
@Tag("benchmark")
class PerformanceReportTest {

    @TempDir
    Path temp;

    private final List<String> sections = new ArrayList<>();
    private final List<Figure> figures = new ArrayList<>();

    @Test
    void writesThePerformanceReport() throws Exception {
        if ("compat".equals(System.getProperty("fondation.bench.only"))) {
            // why: lets a person run the compatibility-mode section alone (it prints; the report is not written)
            Path repo = TestRepositories.packed(TestRepositories.withFiles(temp.resolve("small-repo"), 100));
            compatSection(compat(BenchEnv.scratch(temp, "compat"), repo), BenchEnv.loadAverage());
            sections.forEach(System.out::println);
            figures.forEach(System.out::println);
            return;
        }
        if ("startup".equals(System.getProperty("fondation.bench.only"))) {
            // why: lets a person run the start-up section alone (it prints; the report is not written)
            String load = BenchEnv.loadAverage();
            startupSection(new StartupBench(BenchEnv.scratch(temp, "startup")).run(size("startupRuns", 7)), load);
            sections.forEach(System.out::println);
            figures.forEach(System.out::println);
            return;
        }
        if ("resume".equals(System.getProperty("fondation.bench.only"))) {
            // why: lets a person run the resume section alone (it prints; the report is not written)
            String load = BenchEnv.loadAverage();
            resumeSection(new ResumeBench(BenchEnv.scratch(temp, "resume")).run(), load);
            sections.forEach(System.out::println);
            figures.forEach(System.out::println);
            return;
        }
        assertThat(GitHttpServer.available()).as("git http-backend is needed").isTrue();
        Path docs = BenchEnv.docs();
        Files.createDirectories(docs);
        Path scratch = BenchEnv.scratch(temp, "report");
        // why: packed, as a hosted repository is; loose objects make git compress every object again per clone
        Path smallRepo = TestRepositories.packed(TestRepositories.withFiles(temp.resolve("small-repo"), 100));
        BenchEnv.settle(Duration.ofSeconds(90));
        Instant began = Instant.now();
        String loadBefore = BenchEnv.loadAverage();

        String loadStartup = BenchEnv.loadAverage();
        List<StartupBench.Variant> startup = new StartupBench(scratch).run(size("startupRuns", 7));
        String loadClones = BenchEnv.loadAverage();
        CloneBench.Result clones = new CloneBench(Files.createDirectories(scratch.resolve("clones"))).run();
        String loadJobs = BenchEnv.loadAverage();
        JobOverheadBench jobs = new JobOverheadBench(temp, smallRepo);
        // why: 10 jobs first, so that the figures are a running worker's, not a JVM's first minute
        JobOverheadBench.Result ours = jobs.run("ours (push)", true, 5000, size("overheadJobs", 50), 10, 0);
        JobOverheadBench.Result polling = jobs.run("5 s poll interval", false, 5000, size("pollJobs", 12), 3, 5000);
        String loadCompat = BenchEnv.loadAverage();
        CompatPickupBench.Result[] compat = compat(scratch, smallRepo);
        String loadThroughput = BenchEnv.loadAverage();
        ThroughputBench.Result throughput = new ThroughputBench(temp, smallRepo).run(4, 2, size("throughputJobs", 400));
        ClaimRateBench.Result claims = new ClaimRateBench(temp).run(16, size("claims", 3000));
        String loadOutput = BenchEnv.loadAverage();
        OutputBench output = new OutputBench(temp, smallRepo);
        OutputBench.Stdout stdout = output.stdout(size("stdoutMiB", 1024));
        OutputBench.Markdown markdown = output.markdown(size("markdownFiles", 10_000), 3);
        String loadResume = BenchEnv.loadAverage();
        List<ResumeBench.Row> resume = new ResumeBench(scratch).run();
        String loadAfter = BenchEnv.loadAverage();

        overheadSection(ours, polling, loadJobs);
        compatSection(compat, loadCompat);
        throughputSection(throughput, claims, loadThroughput);
        startupSection(startup, loadStartup);
        cloneSection(clones, loadClones);
        outputSection(stdout, markdown, loadOutput);
        resumeSection(resume, loadResume);
        plots(docs, ours, polling, clones);

        String report = render(began, loadBefore, loadAfter);
        Files.writeString(docs.resolve("performance.md"), report);
        System.out.println(report);
    }

    /**
     * A run's size, {@code -Dfondation.bench.<name>=N} to shrink it on a busy machine; the report prints what it
     * measured, so a smaller run shows in its figures.
     */
    private static int size(String name, int normal) {
        return Integer.getInteger("fondation.bench." + name, normal);
    }

    private void resumeSection(List<ResumeBench.Row> rows, String load) {
        StringBuilder text = new StringBuilder();
        text.append("## Resume after a failure in step k\n\n");
        text.append("A real worker on the embedded queue runs the Fondation-CLI fixture (it honours `--steps`, skips"
                        + " existing chapter files as the real CLI does, and logs each step and each request it would make"
                        + " to the model); the fixture fails (rate limited) before the first request of step k, the retry"
                        + " is counted from its log, against an uninterrupted run of the same repository (what every"
                        + " retry cost before issue 23). Target: 7 − k steps, and no request for a checkpointed file."
                        + " Load average at the start: ")
                .append(load)
                .append(".\n\n");
        text.append(
                "| failure in step k | files checkpointed | steps of the next attempt | requests of the next attempt"
                        + " | of which for a checkpointed file | before: steps / requests |\n|---|---|---|---|---|---|\n");
        for (ResumeBench.Row row : rows) {
            figures.add(Figure.atMost(
                    "resume after a failure in step " + row.failedStep() + ": steps of the next attempt",
                    row.steps().size(),
                    7 - row.failedStep(),
                    "steps",
                    ""));
            figures.add(Figure.atMost(
                    "resume after a failure in step " + row.failedStep() + ": requests for a checkpointed file",
                    row.requestsForCheckpointed(),
                    0,
                    "requests",
                    ""));
            text.append("| ")
                    .append(row.failedStep())
                    .append(" | ")
                    .append(row.filesKept())
                    .append(" | ")
                    .append(row.steps().size())
                    .append(" (")
                    .append(row.steps().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")))
                    .append(") | ")
                    .append(row.requests())
                    .append(" | ")
                    .append(row.requestsForCheckpointed())
                    .append(" | ")
                    .append(row.wholeSteps())
                    .append(" / ")
                    .append(row.wholeRequests())
                    .append(" |\n");
        }
        sections.add(text.toString());
    }

    private void overheadSection(JobOverheadBench.Result ours, JobOverheadBench.Result polling, String load) {
        figures.add(Figure.atMost(
                "per-job overhead p50 (claim → complete minus the analyzer's own run; small repo, 50 documents)",
                ours.overhead().median(),
                150,
                "ms",
                ""));
        figures.add(Figure.atMost("per-job overhead p99", ours.overhead().percentile(99), 500, "ms", ""));
        StringBuilder text = new StringBuilder();
        text.append("## Pickup and per-job overhead\n\n");
        text.append("One worker in the benchmark's JVM, jobs submitted one at a time through a second connection to the"
                        + " SQLite file (as `submit` does from another process), a 100-file local repository (packed, as a"
                        + " hosted one is), the instant analyzer writing 50 documents; the first 10 jobs (3 with the"
                        + " 5 s poll) warm the worker up and are not counted. Load average (1/5/15 min) at the start: ")
                .append(load)
                .append(".\n\n");
        text.append("| figure | ours (push) | 5 s poll interval (as the existing worker sees jobs) |\n|---|---|---|\n");
        row(text, "jobs measured", ours.pickup().count(), polling.pickup().count());
        row(
                text,
                "pickup p50 (submit → claim)",
                ours.pickup().median(),
                polling.pickup().median());
        row(text, "pickup p99", ours.pickup().percentile(99), polling.pickup().percentile(99));
        row(text, "overhead p50", ours.overhead().median(), polling.overhead().median());
        row(
                text,
                "overhead p99",
                ours.overhead().percentile(99),
                polling.overhead().percentile(99));
        row(
                text,
                "  of which claim → analyzer started, p50",
                ours.before().median(),
                polling.before().median());
        row(
                text,
                "  of which analyzer exited → completed, p50",
                ours.after().median(),
                polling.after().median());
        row(
                text,
                "the analyzer's own run (excluded), p50",
                ours.analyzer().median(),
                polling.analyzer().median());
        row(
                text,
                "submit → completed, p50",
                ours.pickup().median()
                        + ours.overhead().median()
                        + ours.analyzer().median(),
                polling.pickup().median()
                        + polling.overhead().median()
                        + polling.analyzer().median());
        text.append("\nAll in ms. ![pickup](performance-pickup.png)\n![overhead](performance-overhead.png)\n");
        sections.add(text.toString());
    }

    /** Compatibility mode, push then the 5 s poll: the same jobs, the same idle time, the same burst. */
    private static CompatPickupBench.Result[] compat(Path scratch, Path repo) throws Exception {
        CompatPickupBench bench = new CompatPickupBench(scratch, repo);
        Duration idle = Duration.ofSeconds(size("compatIdleSeconds", 120));
        return new CompatPickupBench.Result[] {
            bench.run("compatibility mode, push", true, 5000, size("compatPushJobs", 30), 3, 3000, idle),
            bench.run("compatibility mode, 5 s poll", false, 5000, size("compatPollJobs", 12), 2, 3000, idle)
        };
    }

    /** The figures of the old TypeScript worker on the same functions, as issue 19 measured them. */
    private static final double OLD_PICKUP_P50_MS = 1970;

    private static final double OLD_PICKUP_MAX_MS = 4950;
    private static final double OLD_CREATED_TO_COMPLETED_MS = 5600;
    private static final double OLD_BURST_MS = 54_600;
    private static final double OLD_IDLE_CALLS_LOW = 0.9;

    private void compatSection(CompatPickupBench.Result[] results, String load) {
        CompatPickupBench.Result push = results[0];
        CompatPickupBench.Result poll = results[1];
        figures.add(Figure.atMost(
                "compatibility mode: pickup p50 by push (jobs:create → claimed; the old worker 1.97 s)",
                push.pickup().median(),
                OLD_PICKUP_P50_MS,
                "ms",
                ""));
        figures.add(Figure.atMost(
                "compatibility mode: pickup p99 by push (the old worker's max 4.95 s)",
                push.pickup().percentile(99),
                OLD_PICKUP_MAX_MS,
                "ms",
                ""));
        figures.add(Figure.atMost(
                "compatibility mode: one job, created → completed, p50 (the old worker 5.6 s)",
                push.createdToCompleted().median(),
                OLD_CREATED_TO_COMPLETED_MS,
                "ms",
                ""));
        figures.add(Figure.atMost(
                "compatibility mode: 5 jobs created at once after " + push.idleSeconds()
                        + " idle seconds, all completed (the old worker 54.6 s after 2 idle minutes)",
                push.burstMillis(),
                OLD_BURST_MS,
                "ms",
                ""));
        figures.add(Figure.atMost(
                "compatibility mode: function calls of an idle worker a minute (the old worker 0.9-1.7)",
                push.idleCallsPerMinute(),
                OLD_IDLE_CALLS_LOW,
                "calls/min",
                " (over " + push.idleSeconds() + " s; without CONVEX_DEPLOY_KEY)"));
        StringBuilder text = new StringBuilder();
        text.append("## Compatibility mode: the existing deployment's functions\n\n");
        text.append(
                        "One worker in the benchmark's JVM on the legacy fixture (the existing Convex functions, exact to the"
                                + " reference) behind the test server, which speaks the HTTP API and the WebSocket sync"
                                + " protocol; jobs created as the web app creates them (`jobs:create`, 0.5-3.5 s apart), the"
                                + " repository cloned from a local git host, the instant analyzer writing 50 documents; then"
                                + " the worker idles (its function calls counted at the server), then 5 jobs are created at"
                                + " once. Push: the worker's subscription to the existing `queue:getMetrics`"
                                + " (`counts.pending`). The old worker's column is issue 19's measurement on the same"
                                + " functions, not re-run here. Load average at the start: ")
                .append(load)
                .append(".\n\n");
        text.append(
                "| figure | ours, push | ours, 5 s poll (HTTP only) | old TypeScript worker |\n|---|---|---|---|\n");
        text.append("| jobs measured | ")
                .append(push.pickup().count())
                .append(" | ")
                .append(poll.pickup().count())
                .append(" | 10 |\n");
        text.append("| pickup p50 / p99 (jobs:create → claimed) | ")
                .append(pair(push.pickup()))
                .append(" | ")
                .append(pair(poll.pickup()))
                .append(" | 1970 / 4950 (max) |\n");
        text.append("| one job, created → completed, p50 | ")
                .append(Figure.format(push.createdToCompleted().median()))
                .append(" | ")
                .append(Figure.format(poll.createdToCompleted().median()))
                .append(" | 5600 |\n");
        text.append("| 5 jobs at once after ")
                .append(push.idleSeconds())
                .append(" idle seconds, all completed | ")
                .append(Figure.format(push.burstMillis()))
                .append(" | ")
                .append(Figure.format(poll.burstMillis()))
                .append(" | 54600 (after 120 s) |\n");
        text.append("| idle function calls a minute | ")
                .append(Figure.format(push.idleCallsPerMinute()))
                .append(" | ")
                .append(Figure.format(poll.idleCallsPerMinute()))
                .append(" | 0.9-1.7 |\n");
        text.append("\nAll times in ms. With `CONVEX_DEPLOY_KEY` each worker also runs `queue:reclaimExpired` every"
                + " quarter lease (4 calls a minute at the default 60 s lease); a worker killed with `kill -9` is"
                + " then rescued by another in about `LEASE_TIME` plus a quarter of it (62 s measured by"
                + " `CompatibilityModeTest` with the defaults; the old worker: never).\n");
        sections.add(text.toString());
    }

    private static String pair(Stats stats) {
        return Figure.format(stats.median()) + " / " + Figure.format(stats.percentile(99));
    }

    private static void row(StringBuilder text, String name, double ours, double theirs) {
        text.append("| ")
                .append(name)
                .append(" | ")
                .append(Figure.format(ours))
                .append(" | ")
                .append(Figure.format(theirs))
                .append(" |\n");
    }

    private void throughputSection(ThroughputBench.Result run, ClaimRateBench.Result claims, String load) {
        figures.add(Figure.atLeast(
                "throughput, " + run.workers() + " processes × " + run.slots()
                        + " slots, instant analyzer, one SQLite file",
                run.jobsPerSecond(),
                40,
                "jobs/s",
                " (" + run.jobs() + " jobs in " + Figure.format(run.seconds()) + " s)"));
        figures.add(new Figure(
                "duplicates in that run",
                run.duplicates() + " (" + run.failed() + " not completed)",
                "0",
                run.duplicates() == 0 && run.failed() == 0 ? "met" : "missed"));
        figures.add(Figure.atLeast(
                "SQLite queue's own claim rate, " + claims.threads() + " threads",
                claims.claimsPerSecond(),
                500,
                "claims/s",
                " (" + claims.jobs() + " claims, " + claims.duplicates() + " duplicates)"));
        figures.add(new Figure(
                "CPU per job in that run: worker JVMs / their children (git, analyzer)",
                Figure.format(run.workerCpuMillisPerJob()) + " ms / " + Figure.format(run.childrenCpuMillisPerJob())
                        + " ms",
                "(no target; 2 cores give 2,000 ms of CPU a second)",
                "—"));
        sections.add("## Throughput and the queue's claim rate\n\nLoad average at the start: " + load
                + ". Worker processes are `java -Xmx256m [-XX:SharedArchiveFile=…] -XX:TieredStopAtLevel=1 -jar"
                + " fondation-worker.jar run` (the documented command); the"
                + " jobs are enqueued in one burst once every worker has started, and the clock stops when the"
                + " last one is completed. The claim rate is `SqliteJobQueue.claimOne` alone, 16 threads on one"
                + " file until it is empty.\n");
    }

    private void startupSection(List<StartupBench.Variant> startup, String load) {
        StringBuilder text = new StringBuilder("## Start-up\n\n`run --dry-run` on the embedded queue, from `exec` of"
                        + " the JVM (or of the launcher, which `exec`s it) to `/health/ready` answering 200; runs"
                        + " interleaved. The launcher `bin/fondation-worker` is the README's command: the archive"
                        + " trained at its own `lib/` and the quick JIT tier. Load average at the start: ")
                .append(load)
                .append(".\n\n| variant | runs | wall p50 | wall min | CPU p50 |\n|---|---|---|---|---|\n");
        for (StartupBench.Variant v : startup) {
            text.append("| ")
                    .append(v.name())
                    .append(" | ")
                    .append(v.wallMillis().count())
                    .append(" | ")
                    .append(Figure.format(v.wallMillis().median()))
                    .append(" ms | ")
                    .append(Figure.format(v.wallMillis().min()))
                    .append(" ms | ")
                    .append(Figure.format(v.cpuMillis().median()))
                    .append(" ms |\n");
        }
        StartupBench.Variant best = startup.stream()
                .filter(v -> v.name().equals(StartupBench.LAUNCHER))
                .findFirst()
                .orElseThrow();
        figures.add(Figure.atMost(
                "`run` to ready, " + best.name(),
                best.wallMillis().median(),
                1000,
                "ms",
                " (min " + Figure.format(best.wallMillis().min()) + " ms, CPU "
                        + Figure.format(best.cpuMillis().median()) + " ms)"));
        sections.add(text.toString());
    }

    private void cloneSection(CloneBench.Result clones, String load) {
        for (CloneBench.FirstAndTenth f : clones.firstAndTenth()) {
            figures.add(Figure.atMost(
                    "first clone in a fresh JVM minus the tenth, " + f.client() + " (small repository)",
                    f.first() - f.tenth(),
                    300,
                    "ms",
                    " (first " + f.first() + " ms, tenth " + f.tenth() + " ms)"));
        }
        StringBuilder text = new StringBuilder("## Cloning\n\nGenerated repositories (source-like files of 1–3 KiB,"
                        + " a second branch and a tag) served over loopback smart HTTP by `git http-backend`; clones on"
                        + " tmpfs. `git` is `git clone --depth 1 --single-branch`; the clients are the worker's"
                        + " `RepositoryCloner`, each in a fresh JVM that clones several times (first run apart, the others"
                        + " warm). Peak RSS is the largest process's. Load average at the start: ")
                .append(load)
                .append(
                        ".\n\n| repository | files | pack | git p50 | CLI client p50 (×git) | JGit warm p50 (×git)"
                                + " | JGit first | peak RSS git / CLI client JVM / JGit JVM |\n|---|---|---|---|---|---|---|---|\n");
        for (CloneBench.Size s : clones.sizes()) {
            double git = s.git().median();
            text.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d KiB | %.0f ms | %.0f ms (%.2f×) | %.0f ms (%.2f×) | %d ms | %d / %d / %d MiB |%n",
                    s.name(),
                    s.files(),
                    s.packKiB(),
                    git,
                    s.cliWarm().median(),
                    s.cliWarm().median() / git,
                    s.jgitWarm().median(),
                    s.jgitWarm().median() / git,
                    s.jgitFirst(),
                    s.gitRssKiB() / 1024,
                    s.cliRssKiB() / 1024,
                    s.jgitRssKiB() / 1024));
            figures.add(Figure.atMost(
                    "clone " + s.name() + " (" + s.files() + " files), chosen client (CLI) ÷ git",
                    s.cliWarm().median() / git,
                    1.1,
                    "×",
                    " (" + Figure.format(s.cliWarm().median()) + " vs " + Figure.format(git) + " ms)"));
        }
        text.append("\n![clone time](performance-clone.png)\n");
        sections.add(text.toString());
    }

    private void outputSection(OutputBench.Stdout stdout, OutputBench.Markdown markdown, String load) {
        figures.add(new Figure(
                stdout.mib() + " MiB of analyzer stdout through `dev` at -Xmx64m",
                (stdout.completed() ? "job completed" : "exit " + stdout.exitCode()) + " in "
                        + Figure.format(stdout.seconds()) + " s ("
                        + Figure.format(stdout.mib() / stdout.seconds()) + " MiB/s), peak RSS "
                        + stdout.peakRssKiB() / 1024 + " MiB",
                "completes, no OutOfMemoryError",
                stdout.completed() ? "met" : "missed"));
        figures.add(new Figure(
                markdown.files() + " Markdown files collected and saved (SQLite)",
                "collect p50 " + Figure.format(markdown.collectMillis().median()) + " ms, save p50 "
                        + Figure.format(markdown.saveMillis().median()) + " ms, " + markdown.saved() + " saved",
                "all saved",
                markdown.saved() == markdown.files() ? "met" : "missed"));
        sections.add("## Output\n\nLoad average at the start: " + load + ". The stdout run is a whole `dev` job whose"
                + " analyzer prints 128-byte lines; the Markdown run is cli-bridge's `OutputCollector` on a course"
                + " of 3 YAML steps (naming the first " + OutputBench.STEP_TOPICS + " topics: a step file is one"
                + " document of at most 900 KiB) and " + (markdown.files() - 3)
                + " chapters of about 2 KiB, then one `SqliteJobQueue.complete` with all of"
                + " them.\n");
    }

    private void plots(Path docs, JobOverheadBench.Result ours, JobOverheadBench.Result polling, CloneBench.Result c) {
        Plots.cdf(
                docs.resolve("performance-pickup.png"),
                "Pickup: submit → claim",
                "ms (log scale)",
                true,
                List.of(ours.name(), polling.name()),
                List.of(ours.pickup(), polling.pickup()));
        Plots.cdf(
                docs.resolve("performance-overhead.png"),
                "Per-job overhead: claim → complete minus the analyzer's run",
                "ms",
                false,
                List.of(ours.name(), polling.name()),
                List.of(ours.overhead(), polling.overhead()));
        List<Plots.Series> series = new ArrayList<>();
        series.add(series(c, "git clone --depth 1 --single-branch", s -> s.git().median()));
        series.add(series(c, "CLI client (warm)", s -> s.cliWarm().median()));
        series.add(series(c, "JGit client (warm)", s -> s.jgitWarm().median()));
        series.add(series(c, "JGit client (first clone of a fresh JVM)", s -> (double) s.jgitFirst()));
        series.add(series(c, "CLI client (first clone of a fresh JVM)", s -> (double) s.cliFirst()));
        Plots.lines(
                docs.resolve("performance-clone.png"),
                "Shallow clone time against repository size (loopback smart HTTP)",
                "files in the repository (log scale)",
                "ms (median)",
                true,
                false,
                series,
                false);
    }

    private static Plots.Series series(
            CloneBench.Result clones, String name, java.util.function.ToDoubleFunction<CloneBench.Size> value) {
        List<double[]> points = new ArrayList<>();
        for (CloneBench.Size s : clones.sizes()) {
            points.add(new double[] {s.files(), value.applyAsDouble(s)});
        }
        return new Plots.Series(name, points);
    }

    private String render(Instant began, String loadBefore, String loadAfter) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Performance\n\n");
        md.append("Written by `./mvnw -Pbenchmarks verify` (about 16 minutes; it needs `git`, `git http-backend`"
                + " and `/usr/bin/time`). Do not edit the figures by hand: run the command again.\n\n");
        md.append("## The machine and this run\n\n");
        md.append("- ").append(machine()).append("\n");
        md.append("- run on ")
                .append(began.truncatedTo(ChronoUnit.SECONDS))
                .append(", load average (1/5/15 min) ")
                .append(loadBefore)
                .append(" at the start and ")
                .append(loadAfter)
                .append(" at the end")
                .append(
                        busy(loadBefore)
                                ? ": other work shared the two cores, so wall-clock figures are noisy;"
                                : ": nothing else ran (the load at the end is the benchmarks' own: several of them"
                                        + " keep both cores busy);")
                .append(" each is a median of several runs, and start-up also shows CPU time.\n\n");
        md.append("## Every figure beside its target\n\n| figure | measured | target | verdict |\n|---|---|---|---|\n");
        for (Figure f : figures) {
            md.append("| ")
                    .append(f.name())
                    .append(" | ")
                    .append(f.measured())
                    .append(" | ")
                    .append(f.target())
                    .append(" | ")
                    .append(f.verdict())
                    .append(" |\n");
        }
        md.append('\n');
        for (String section : sections) {
            md.append(section).append('\n');
        }
        try (InputStream notes = getClass().getResourceAsStream("/bench/performance-notes.md")) {
            if (notes != null) {
                md.append(new String(notes.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return md.toString();
    }

    /** Whether a load average string ({@code 1-min / 5-min / 15-min}) shows other work on 2 cores. */
    private static boolean busy(String load) {
        try {
            return Double.parseDouble(load.split(" / ")[0]) > 1.5;
        } catch (RuntimeException e) {
            return true;
        }
    }

    private static String machine() throws IOException {
        String cpu = "unknown CPU";
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                cpu = line.substring(line.indexOf(':') + 1).trim();
                break;
            }
        }
        long memoryKiB = 0;
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                memoryKiB = Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        String git = BenchEnv.run(List.of("git", "--version"), Path.of(".")).trim();
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memoryKiB / 1024 / 1024
                + " GiB of memory, " + System.getProperty("os.name") + " " + System.getProperty("os.version")
                + ", Java "
                + System.getProperty("java.vm.name") + " " + Runtime.version() + ", " + git;
    }
}
