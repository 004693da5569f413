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
 * <ul>
 *   <li>{@code process}: argument lists, closed stdin, exact environment, bounded line streaming,
 *       process-tree timeout and cancel (SIGTERM, then SIGKILL after a grace period);</li>
 *   <li>{@code progress}: every known progress line form, monotonic, localised text;</li>
 *   <li>{@code claude}: Claude Code {@code stream-json} events, tool progress, session facts;</li>
 *   <li>{@code output}: safe YAML, validated step files, Markdown chapters ordered by index, guards
 *       against links, huge files and invalid UTF-8;</li>
 *   <li>{@code failure}: failure classes and the short, redacted error stored on the job.</li>
 * </ul>
 */
package io.fondation.clibridge;
