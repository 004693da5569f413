package io.fondation.clibridge.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the strongest {@link Containment} this machine allows, by trying each one for real: a
 * bubblewrap sandbox (a write inside its writable directory must arrive, a write beside it must
 * not), else {@code setpriv --pdeathsig}, else none. The chosen containment's
 * {@link Containment#status() status} says why it is not stronger (for example a container
 * without user namespaces), for the worker's start-up log and health report. Takes a few
 * milliseconds; run it once at start-up.
 */
public final class ContainmentProbe {

    private static final Logger LOG = LoggerFactory.getLogger(ContainmentProbe.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(15);

    private ContainmentProbe() {}

    /** Probes {@code bwrap} and {@code setpriv} found on this JVM's {@code PATH}. */
    public static Containment detect() {
        return detect(onPath("bwrap"), onPath("setpriv"));
    }

    /**
     * Probes the given executables.
     *
     * @param bwrap the {@code bwrap} executable, or null when it is not installed
     * @param setpriv the {@code setpriv} executable, or null when it is not installed
     */
    public static Containment detect(Path bwrap, Path setpriv) {
        String noSandbox;
        if (bwrap == null) {
            noSandbox = "bubblewrap is not installed (Debian and Ubuntu: apt-get install bubblewrap)";
        } else {
            BubblewrapContainment sandbox = new BubblewrapContainment(bwrap, version(bwrap, "bubblewrap"));
            noSandbox = trySandbox(sandbox);
            if (noSandbox == null) {
                return sandbox;
            }
        }
        String why = "no sandbox: " + noSandbox;
        if (setpriv == null) {
            return Containment.none(why + "; setpriv (util-linux) is not installed either");
        }
        ParentDeathContainment fallback = new ParentDeathContainment(setpriv, version(setpriv, "util-linux"), why);
        String noFallback = problem(run(fallback.wrap(probeSpec(List.of("sh", "-c", "exit 0")), null)));
        if (noFallback != null) {
            return Containment.none(why + "; setpriv --pdeathsig failed too: " + noFallback);
        }
        return fallback;
    }

    /**
     * The strongest containment that leaves the analyzer's writes and process ids alone, for analyzers that are
     * not sandboxed (the Fondation CLI, a command, the dry-run analyzer): a {@link SessionContainment} (the whole
     * session dies with the JVM), else {@code setpriv --pdeathsig} (the main process does), else none. Found with
     * {@code setpriv}, {@code setsid} and {@code sh} on this JVM's {@code PATH}.
     *
     * @param whyNoSandbox why no sandbox holds these analyzers, for the status (may be null)
     */
    public static Containment detectLifetimeOnly(String whyNoSandbox) {
        return detectLifetimeOnly(onPath("setpriv"), onPath("setsid"), onPath("sh"), whyNoSandbox);
    }

    /** {@link #detectLifetimeOnly(String)} with the given executables (null when not installed). */
    public static Containment detectLifetimeOnly(Path setpriv, Path setsid, Path sh, String whyNoSandbox) {
        String why = whyNoSandbox == null || whyNoSandbox.isBlank() ? "" : whyNoSandbox + "; ";
        if (setpriv == null) {
            return Containment.none(why + "setpriv (util-linux) is not installed");
        }
        String version = version(setpriv, "util-linux");
        String noSession;
        if (setsid == null || sh == null) {
            noSession = (setsid == null ? "setsid" : "sh") + " is not installed";
        } else {
            SessionContainment session = new SessionContainment(setpriv, setsid, sh, version, whyNoSandbox);
            ProcessOutcome outcome = run(session.wrap(probeSpec(List.of("sh", "-c", "exit 3")), null));
            noSession = outcome.exitCode() == 3
                    ? null
                    : "its supervisor did not pass the exit status on: " + outcome.describe();
            if (noSession == null) {
                return session;
            }
        }
        ParentDeathContainment fallback =
                new ParentDeathContainment(setpriv, version, why + "no session supervisor: " + noSession);
        String noFallback = problem(run(fallback.wrap(probeSpec(List.of("sh", "-c", "exit 0")), null)));
        if (noFallback != null) {
            return Containment.none(why + "setpriv --pdeathsig failed: " + noFallback);
        }
        return fallback;
    }

    /** Why the sandbox does not hold here, or null when it does. */
    private static String trySandbox(BubblewrapContainment sandbox) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("fondation-sandbox-probe");
            Path writable = Files.createDirectory(dir.resolve("writable"));
            ProcessSpec spec = probeSpec(List.of(
                    "sh",
                    "-c",
                    "echo inside > \"$1/inside\"; echo outside > \"$2/outside\" 2>/dev/null; exit 0",
                    "probe",
                    writable.toString(),
                    dir.toString()));
            String problem = problem(run(sandbox.wrap(spec, Confinement.writableOnly(writable))));
            if (problem != null) {
                return problem;
            }
            if (!Files.isRegularFile(writable.resolve("inside"))) {
                return "a write to the sandbox's writable directory did not arrive";
            }
            if (Files.exists(dir.resolve("outside"))) {
                return "a write beside the sandbox's writable directory was not stopped";
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "the probe failed: " + e.getMessage();
        } finally {
            delete(dir);
        }
    }

    private static ProcessSpec probeSpec(List<String> command) {
        Map<String, String> env = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "LANG", "C");
        return new ProcessSpec(command, Path.of(System.getProperty("java.io.tmpdir")), env, PROBE_TIMEOUT, null);
    }

    private static ProcessOutcome run(ProcessSpec spec) {
        try {
            return new ProcessRunner().start(spec, OutputListener.NONE).await();
        } catch (ProcessStartException e) {
            return new ProcessOutcome(127, null, Duration.ZERO, false, false, "", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProcessOutcome(-1, null, Duration.ZERO, false, true, "", "interrupted");
        }
    }

    /** What went wrong with a probe run, or null when it exited 0. */
    private static String problem(ProcessOutcome outcome) {
        if (outcome.succeeded()) {
            return null;
        }
        String said = outcome.stderrTail().strip().lines().findFirst().orElse("");
        return outcome.describe() + (said.isEmpty() ? "" : ": " + said);
    }

    /** The version line of a tool, e.g. {@code 0.8.0} for {@code bubblewrap 0.8.0}; empty if unknown. */
    private static String version(Path executable, String marker) {
        ProcessOutcome outcome = run(probeSpec(List.of(executable.toString(), "--version")));
        String line = outcome.stdoutTail().strip().lines().findFirst().orElse("");
        int at = line.indexOf(marker);
        String version = at >= 0 ? line.substring(at + marker.length()).strip() : line;
        return marker.equals("bubblewrap") ? version : (version.isEmpty() ? "" : marker + " " + version);
    }

    /** The executable called {@code name} on this JVM's {@code PATH}, or null. */
    static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.debug("could not delete the sandbox probe's directory {}: {}", dir, e.toString());
        }
    }
}
