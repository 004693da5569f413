package io.fondation.worker.cli;

import io.fondation.worker.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs {@code fondation-worker} in-process through picocli, as {@link Main} does, with its own
 * environment (HOME and TEMP_DIR under a temporary directory, never the user's) and captured output.
 */
final class CliHarness {

    final Path home;
    final Map<String, String> env = new HashMap<>();
    final ManualStopSignal stop = new ManualStopSignal();
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    CliHarness(Path temp) {
        this.home = temp.resolve("home");
        env.put("HOME", home.toString());
        env.put("TEMP_DIR", temp.resolve("work").toString());
        String path = System.getenv("PATH");
        if (path != null) {
            env.put("PATH", path);
        }
    }

    CliHarness env(String name, String value) {
        env.put(name, value);
        return this;
    }

    record Result(int exitCode, String out, String err) {}

    /** Runs one command line; output of earlier runs is not included. */
    Result run(Path workingDirectory, String... args) {
        StringWriter runOut = new StringWriter();
        StringWriter runErr = new StringWriter();
        CommandLine commandLine =
                Main.commandLine(new CliEnvironment(env, Clock.systemUTC(), workingDirectory, false, stop));
        commandLine.setOut(new PrintWriter(new TeeWriter(runOut, out), true));
        commandLine.setErr(new PrintWriter(new TeeWriter(runErr, err), true));
        int code = commandLine.execute(args);
        return new Result(code, runOut.toString(), runErr.toString());
    }

    /** Writes to two writers: the run's own output and the harness's running log (which other threads read). */
    private static final class TeeWriter extends java.io.Writer {
        private final StringWriter first;
        private final StringWriter second;

        TeeWriter(StringWriter first, StringWriter second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(char[] buffer, int offset, int length) {
            first.write(buffer, offset, length);
            second.write(buffer, offset, length);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
