package io.fondation.worker.server;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs {@code promtool check metrics} (Debian's {@code prometheus} package) when it is on the PATH. */
public final class Promtool {

    /** What promtool said: its exit code and everything it printed. */
    public record Result(int exitCode, String output) {}

    private Promtool() {}

    /** The promtool on the PATH, if any. */
    public static Optional<Path> find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Pipes {@code exposition} into {@code promtool check metrics}; empty when promtool is not installed. */
    public static Optional<Result> checkMetrics(String exposition) throws IOException, InterruptedException {
        return runWithInput(exposition, "check", "metrics");
    }

    /** Runs {@code promtool ARGS} with nothing on its input; empty when promtool is not installed. */
    public static Optional<Result> run(String... args) throws IOException, InterruptedException {
        return runWithInput("", args);
    }

    private static Optional<Result> runWithInput(String input, String... args)
            throws IOException, InterruptedException {
        Optional<Path> promtool = find();
        if (promtool.isEmpty()) {
            return Optional.empty();
        }
        List<String> command = new ArrayList<>();
        command.add(promtool.get().toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish within 60 s");
        }
        return Optional.of(new Result(process.exitValue(), output));
    }
}
