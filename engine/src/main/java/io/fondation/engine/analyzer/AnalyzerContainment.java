package io.fondation.engine.analyzer;

import io.fondation.clibridge.process.Containment;
import io.fondation.clibridge.process.ContainmentProbe;
import io.fondation.clibridge.process.ContainmentStatus;
import io.fondation.shared.ConfigurationException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What holds the analyzer's processes, chosen once when the worker starts, the same for every kind of analyzer (the
 * Fondation CLI, {@code claude}, a command, the dry-run analyzer): the bubblewrap sandbox
 * ({@link ContainmentProbe#detect()}), in which the analyzer writes only to the job's output and state directories,
 * sees neither the other jobs' workspaces nor the worker's own files, and dies with the worker. Where no sandbox works
 * the worker refuses to run any analyzer ({@link #problemFor}) unless the operator allowed it
 * ({@code ANALYZER_ALLOW_UNCONFINED=true}, or {@code CLAUDE_ALLOW_UNCONFINED=true} for {@code claude}); it is then
 * held only by a session of its own that dies with the worker ({@link ContainmentProbe#detectLifetimeOnly(String)}).
 * Probing runs a few tiny processes; it is done once per JVM.
 */
public final class AnalyzerContainment {

    /** What a worker with no analyzer at all is told (ANALYZER unset, no CLI_PATH, no Claude Code). */
    public static final String NO_ANALYZER = "not set; ANALYZER=fondation needs the path of the Fondation CLI"
            + " (dist/cli.bundled.mjs). Or install Claude Code (claude on PATH, or CLAUDE_PATH) for ANALYZER=claude,"
            + " or use --dry-run (ANALYZER=dry-run) for the offline analyzer";

    private static Containment sandboxProbe;
    private static final Map<String, Containment> LIFETIME_PROBES = new HashMap<>();

    private final Containment containment;

    /** @param containment what holds the analyzer */
    public AnalyzerContainment(Containment containment) {
        this.containment = Objects.requireNonNull(containment, "containment");
    }

    /** The containment probed on this machine: the sandbox when it works, else a session that dies with the worker. */
    public static AnalyzerContainment probed() {
        Containment sandbox = sandbox();
        return new AnalyzerContainment(sandbox.status().confinesWrites() ? sandbox : lifetimeOnly());
    }

    /**
     * Probes ahead what {@link #probed} will ask for, so that a start-up warm-up thread does it while the main thread
     * reads the command line and the configuration. The probes are kept once per JVM, and a caller that comes while
     * one runs waits for it instead of probing again.
     */
    public static void probeAhead() {
        if (!sandbox().status().confinesWrites()) {
            lifetimeOnly();
        }
    }

    private static synchronized Containment sandbox() {
        if (sandboxProbe == null) {
            sandboxProbe = ContainmentProbe.detect();
        }
        return sandboxProbe;
    }

    private static synchronized Containment lifetimeOnly() {
        String why = "no sandbox: " + sandbox().status().detail();
        return LIFETIME_PROBES.computeIfAbsent(why, ContainmentProbe::detectLifetimeOnly);
    }

    /** The containment itself, to wrap the analyzer's process. */
    public Containment containment() {
        return containment;
    }

    /** What it guarantees, and why not more. */
    public ContainmentStatus status() {
        return containment.status();
    }

    /** Whether the analyzer runs in the sandbox (its writes confined, the other workspaces and the worker hidden). */
    public boolean sandboxed() {
        return status().confinesWrites();
    }

    /**
     * Why the analyzer of {@code settings} must not run under this containment: no sandbox confines it, and the
     * operator did not allow it to run without one. Names {@code CLAUDE_ALLOW_UNCONFINED} for the {@code claude}
     * analyzer (its older name, still read), {@code ANALYZER_ALLOW_UNCONFINED} for the others.
     */
    public Optional<ConfigurationException> problemFor(AnalyzerSettings settings) {
        if (sandboxed() || settings.allowsUnconfined()) {
            return Optional.empty();
        }
        boolean claude = settings.kind() == AnalyzerSettings.Kind.CLAUDE;
        String variable = claude ? "CLAUDE_ALLOW_UNCONFINED" : "ANALYZER_ALLOW_UNCONFINED";
        String unconfined = claude
                ? "held only by Claude Code's own permission rules"
                : "with the worker's user's whole view of the machine (the other jobs' clones, the worker's files"
                        + " and, through /proc, its environment)";
        return Optional.of(new ConfigurationException(
                variable,
                "the " + settings.kind().configName() + " analyzer runs only in a sandbox that confines its writes to"
                        + " the job's directories and hides the other jobs and the worker's files, and none works here ("
                        + status().detail() + "). Install bubblewrap and allow unprivileged user namespaces"
                        + " (docs/analyzers.md says how, in a container too), or set " + variable + "=true to run it "
                        + unconfined));
    }

    /** {@link #problemFor}, thrown. */
    public void requireAllowedFor(AnalyzerSettings settings) {
        Optional<ConfigurationException> problem = problemFor(settings);
        if (problem.isPresent()) {
            throw problem.get();
        }
    }

    /** One line for the start-up log. */
    public String describe() {
        return status().describe();
    }
}
