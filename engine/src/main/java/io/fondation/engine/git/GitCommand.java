package io.fondation.engine.git;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the {@code git} command for {@link GitCliCloneClient}: found once on {@code PATH} (2.32 or newer, which
 * honours {@code GIT_CONFIG_GLOBAL}), started with an argument list and an environment of its own (no system or
 * user configuration, no terminal prompts, only the http, https, git and file transports), its output bounded, and
 * its whole process tree killed when the job is cancelled.
 */
final class GitCommand {

    /** The oldest git that reads {@code GIT_CONFIG_GLOBAL}, which keeps a user's configuration out of clones. */
    static final int[] MIN_VERSION = {2, 32};

    private static final Pattern VERSION = Pattern.compile("git version (\\d+)\\.(\\d+)");
    private static final int MAX_OUTPUT = 1 << 20;
    private static final long POLL_MILLIS = 10;
    private static final List<String> PASSED_THROUGH = List.of(
            "PATH",
            "HOME",
            "TMPDIR",
            "http_proxy",
            "https_proxy",
            "no_proxy",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "NO_PROXY",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR");

    private final Path executable;

    private GitCommand(Path executable) {
        this.executable = executable;
    }

    /** The output of one git run. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** Whether a usable git is installed (the answer of the first call is kept). */
    static boolean available() {
        return Found.GIT.isPresent();
    }

    /**
     * The installed git.
     *
     * @throws IllegalStateException when none is usable: check {@link #available()} first
     */
    static GitCommand installed() {
        return Found.GIT.orElseThrow(() -> new IllegalStateException(
                "git " + MIN_VERSION[0] + "." + MIN_VERSION[1] + " or newer is not installed on PATH"));
    }

    /**
     * Runs {@code git <arguments>} and waits for it.
     *
     * @param environment variables added to the child's environment only (credentials for the helper)
     * @param cancelled polled every few milliseconds; when true the process tree is killed and the result is empty
     * @return the result, or empty when it was cancelled
     */
    Optional<Result> run(List<String> arguments, Map<String, String> environment, BooleanSupplier cancelled)
            throws IOException {
        List<String> command = new ArrayList<>(arguments.size() + 1);
        command.add(executable.toString());
        command.addAll(arguments);
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = builder.environment();
        Map<String, String> inherited = new HashMap<>(env);
        env.clear();
        for (String name : PASSED_THROUGH) {
            String value = inherited.get(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.put("LC_ALL", "C"); // why: the failure messages are matched in English
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_ASKPASS", "");
        env.put("SSH_ASKPASS", "");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_ALLOW_PROTOCOL", "http:https:git:file");
        env.put("GIT_PROTOCOL_FROM_USER", "0");
        env.putAll(environment);
        Process process = builder.start();
        Drain stdout = Drain.start(process.getInputStream());
        Drain stderr = Drain.start(process.getErrorStream());
        try {
            while (!process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (cancelled.getAsBoolean()) {
                    kill(process);
                    return Optional.empty();
                }
            }
            return Optional.of(new Result(process.exitValue(), stdout.text(), stderr.text()));
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@code versionLine} ({@code git version 2.39.5}) is at least {@link #MIN_VERSION}. */
    static boolean recentEnough(String versionLine) {
        Matcher m = VERSION.matcher(versionLine);
        if (!m.find()) {
            return false;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major > MIN_VERSION[0] || (major == MIN_VERSION[0] && minor >= MIN_VERSION[1]);
    }

    private static Optional<GitCommand> find() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir).resolve("git");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                GitCommand git = new GitCommand(candidate);
                try {
                    Optional<Result> version = git.run(List.of("--version"), Map.of(), () -> false);
                    if (version.isPresent()
                            && version.get().ok()
                            && recentEnough(version.get().stdout())) {
                        return Optional.of(git);
                    }
                } catch (IOException e) {
                    // not runnable: try the next one
                }
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Lazily found, once per JVM: no process starts until the first clone asks. */
    private static final class Found {
        static final Optional<GitCommand> GIT = find();
    }

    /** Reads a stream to its end on a daemon thread, keeping its first {@link #MAX_OUTPUT} bytes. */
    private static final class Drain implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final Thread thread;

        private Drain(InputStream in) {
            this.in = in;
            this.thread = new Thread(this, "git-output");
            thread.setDaemon(true);
        }

        static Drain start(InputStream in) {
            Drain drain = new Drain(in);
            drain.thread.start();
            return drain;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (kept) {
                        int room = MAX_OUTPUT - kept.size();
                        if (room > 0) {
                            kept.write(buffer, 0, Math.min(room, n));
                        }
                    }
                }
            } catch (IOException e) {
                // the process was killed: what was read is kept
            }
        }

        String text() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
