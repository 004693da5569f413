/**
 * Runs analyzer CLIs (the Fondation CLI, Claude Code headless, or any command template) as child
 * processes safely and turns what they print and write into documents.
 *
 * <p>Typical use, as the worker does:
 * <pre>{@code
 * Map<String, String> env = EnvironmentPolicy.defaults().withExtras(extras).filter(System.getenv(), claudeHome);
 * ProcessSpec spec = FondationCliCommand.builder().runtime("node").cliPath(cli).repository(repo)
 *         .outputDir(out).environment(env).timeout(Duration.ofHours(1)).build();
 * AnalysisRunner runner = new AnalysisRunner(new ProcessRunner(), new OutputCollector(OutputLimits.defaults()),
 *         new FailureClassifier());
 * RunningAnalysis analysis = runner.start(spec, out, new AnalysisListener() {
 *     public void onProgress(Progress p) { heartbeat(ProgressText.describe(p, ProgressLanguage.FRENCH)); }
 * });
 * AnalysisReport report = analysis.await();   // analysis.cancel() from another thread kills the tree
 * }</pre>
 *
 * <p>Claude Code as the analyzer, confined (probe once at start-up; its status goes to the log and /health):
 * <pre>{@code
 * Containment containment = ContainmentProbe.detect();     // containment.status().describe()
 * ProcessSpec spec = ClaudeCodeCommand.builder().executable(claude).repository(repo).outputDir(out)
 *         .home(jobStateDir).environment(env).prompt(job.prompt()).containment(containment).build();
 * RunningAnalysis analysis = runner.withOutputProgress(AnalysisRunner.DEFAULT_OUTPUT_WATCH_INTERVAL)
 *         .start(spec, out, listener);                      // N/6 as the output files appear
 * }</pre>
 *
 * <ul>
 *   <li>{@code process}: argument lists, closed stdin, exact environment, bounded line streaming,
 *       process-tree timeout and cancel (SIGTERM, then SIGKILL after a grace period), and
 *       containment: a bubblewrap sandbox whose whole tree dies with the JVM, or a parent-death signal;</li>
 *   <li>{@code progress}: every known progress line form, monotonic, localised text;</li>
 *   <li>{@code claude}: the Claude Code analyzer's invocation and output contract, its {@code stream-json}
 *       events, tool progress, session facts, and the audit of writes outside the output directory;</li>
 *   <li>{@code output}: safe YAML, validated step files, Markdown chapters ordered by index, guards
 *       against links, huge files and invalid UTF-8; the step under way from the files written;</li>
 *   <li>{@code failure}: failure classes and the short, redacted error stored on the job;</li>
 *   <li>{@code resume}: which output files are complete and valid for a job's checkpoint, when a file being
 *       written is taken, and the plan of a resumed run (first unfinished step, files to restore, files dropped,
 *       what is left).</li>
 * </ul>
 */
package io.fondation.clibridge;
