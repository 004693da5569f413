package io.fondation.worker.analyzer;

import io.fondation.clibridge.process.Containment;
import io.fondation.clibridge.process.ContainmentProbe;
import io.fondation.clibridge.process.ContainmentStatus;
import io.fondation.shared.ConfigurationException;
import io.fondation.worker.config.AnalyzerSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What holds the analyzer's processes, chosen once per kind of analyzer when the worker starts:
 * <ul>
 *   <li>{@code claude}: the bubblewrap sandbox ({@link ContainmentProbe#detect()}): writes only to the job's output
 *       and state directories, other workspaces hidden, the whole tree dies with the worker. Without one, the worker
 *       refuses to run it ({@link #problemFor}) unless {@code CLAUDE_ALLOW_UNCONFINED=true}, and then holds it like
 *       the others;
 *   <li>the Fondation CLI, a command and the dry-run analyzer: a session of their own that dies with the worker
 *       ({@link ContainmentProbe#detectLifetimeOnly(String)}), their writes and process ids left as they are.
 * </ul>
 * Probing runs a few tiny processes; it is done once per JVM and kind.
 */
public final class AnalyzerContainment {

    /** What a worker with no analyzer at all is told (ANALYZER unset, no CLI_PATH, no Claude Code). */
    public static final String NO_ANALYZER = "not set; ANALYZER=fondation needs the path of the Fondation CLI"
            + " (dist/cli.bundled.mjs). Or install Claude Code (claude on PATH, or CLAUDE_PATH) for ANALYZER=claude,"
            + " or use --dry-run (ANALYZER=dry-run) for the offline analyzer";

    private static Containment sandboxProbe;
    private static final Map<String, Containment> LIFETIME_PROBES = new HashMap<>();

    private final Containment containment;
    private final boolean sandboxWanted;

    /**
     * @param containment what holds the analyzer
     * @param sandboxWanted whether the analyzer needs its writes confined ({@code claude})
     */
    public AnalyzerContainment(Containment containment, boolean sandboxWanted) {
        this.containment = Objects.requireNonNull(containment, "containment");
        this.sandboxWanted = sandboxWanted;
    }

    /** The containment probed on this machine for the analyzer of {@code settings}. */
    public static AnalyzerContainment probed(AnalyzerSettings settings) {
        if (settings.kind() != AnalyzerSettings.Kind.CLAUDE) {
            return new AnalyzerContainment(lifetimeOnly(), false);
        }
        Containment sandbox = sandbox();
        if (sandbox.status().confinesWrites()) {
            return new AnalyzerContainment(sandbox, true);
        }
        return new AnalyzerContainment(lifetimeOnly(), true);
    }

    /**
     * Probes ahead what {@link #probed} will ask for (the sandbox for {@code claude}, else the session holder), so
     * that a start-up warm-up thread does it while the main thread reads the command line and the configuration.
     * The probes are kept once per JVM, and a caller that comes while one runs waits for it instead of probing again.
     */
    public static void probeAhead(boolean claude) {
        if (claude) {
            sandbox();
        } else {
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
        Containment sandbox = sandboxProbe;
        String why = sandbox != null && !sandbox.status().confinesWrites()
                ? "no sandbox: " + sandbox.status().detail()
                : "only the claude analyzer is sandboxed: this analyzer writes where the worker's user can";
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

    /**
     * Why the analyzer of {@code settings} must not run under this containment: {@code claude} without a sandbox that
     * confines its writes, unless {@code CLAUDE_ALLOW_UNCONFINED} says it may.
     */
    public Optional<ConfigurationException> problemFor(AnalyzerSettings settings) {
        if (!sandboxWanted || status().confinesWrites() || settings.claude().allowUnconfined()) {
            return Optional.empty();
        }
        return Optional.of(new ConfigurationException(
                "CLAUDE_ALLOW_UNCONFINED",
                "the claude analyzer runs only in a sandbox that confines its writes to the job's directories, and"
                        + " none works here (" + sandbox().status().detail() + "). Install bubblewrap and allow"
                        + " unprivileged user namespaces (docs/analyzers.md says how, in a container too), or set"
                        + " CLAUDE_ALLOW_UNCONFINED=true to run it held only by Claude Code's own permission rules"));
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
