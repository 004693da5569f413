package io.fondation.worker.bench;

import io.fondation.engine.git.GitClient;
import io.fondation.engine.git.GitHttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Shallow clones over loopback smart HTTP ({@code git http-backend}) of three generated repositories: the plain
 * {@code git clone --depth 1 --single-branch} as the yardstick, and the worker's cloner with each client, each in a
 * fresh JVM (first run) that then clones again (warm runs). Peak RSS is the largest process's, from
 * {@code /usr/bin/time}.
 */
final class CloneBench {

    /** Figures for one repository size. */
    record Size(
            String name,
            int files,
            long packKiB,
            Stats git,
            long gitRssKiB,
            Stats cliWarm,
            long cliFirst,
            long cliRssKiB,
            Stats jgitWarm,
            long jgitFirst,
            long jgitRssKiB) {}

    /** The first and the tenth clone in one fresh JVM. */
    record FirstAndTenth(GitClient client, long first, long tenth) {}

    record Result(List<Size> sizes, List<FirstAndTenth> firstAndTenth) {}

    private static final String[] WORDS = {
        "final",
        "return",
        "value",
        "int",
        "String",
        "list",
        "map",
        "public",
        "private",
        "static",
        "void",
        "if",
        "else",
        "for",
        "new",
        "this",
        "null",
        "true",
        "false",
        "count",
        "index",
        "name",
        "result",
        "error",
        "config",
        "handler",
        "request",
        "response",
        "buffer",
        "stream",
        "size",
        "id",
        "key",
        "entry",
        "node",
        "parent"
    };

    private final Path scratch;

    CloneBench(Path scratch) {
        this.scratch = scratch;
    }

    Result run() throws IOException {
        Path hosting = Files.createDirectories(scratch.resolve("hosting"));
        List<Size> sizes = new ArrayList<>();
        List<FirstAndTenth> firstAndTenth = new ArrayList<>();
        try (GitHttpServer http = GitHttpServer.serving(hosting)) {
            int[][] plan = {{100, 10}, {3_000, 6}, {12_000, 4}};
            String[] names = {"small", "medium", "large"};
            for (int i = 0; i < plan.length; i++) {
                int files = plan[i][0];
                int runs = plan[i][1];
                String name = names[i];
                long packKiB = createRepository(hosting, name, files);
                String url = http.baseUrl() + "/" + name + ".git";
                Timed git = gitClones(url, runs);
                Timed cli = clonerRuns(GitClient.CLI, url, runs);
                Timed jgit = clonerRuns(GitClient.JGIT, url, runs);
                sizes.add(new Size(
                        name,
                        files,
                        packKiB,
                        Stats.of(git.millis),
                        git.rssKiB,
                        Stats.of(cli.millis.subList(1, cli.millis.size())),
                        cli.millis.get(0),
                        cli.rssKiB,
                        Stats.of(jgit.millis.subList(1, jgit.millis.size())),
                        jgit.millis.get(0),
                        jgit.rssKiB));
                if (i == 0) {
                    firstAndTenth.add(new FirstAndTenth(GitClient.CLI, cli.millis.get(0), cli.millis.get(9)));
                    firstAndTenth.add(new FirstAndTenth(GitClient.JGIT, jgit.millis.get(0), jgit.millis.get(9)));
                }
                System.out.printf(
                        "BENCHMARK clone %s (%d files, pack %d KiB): git %s, cli %s (first %d), jgit %s (first %d) ms%n",
                        name,
                        files,
                        packKiB,
                        git.millis,
                        cli.millis,
                        cli.millis.get(0),
                        jgit.millis,
                        jgit.millis.get(0));
            }
        }
        return new Result(sizes, firstAndTenth);
    }

    /** Millisecond figures and the peak RSS of the largest process. */
    private record Timed(List<Long> millis, long rssKiB) {}

    private Timed gitClones(String url, int runs) throws IOException {
        List<Long> millis = new ArrayList<>();
        long rss = 0;
        for (int run = 0; run < runs; run++) {
            Path target = scratch.resolve("git-" + run);
            long started = System.nanoTime();
            String out = BenchEnv.run(
                    List.of(
                            "/usr/bin/time",
                            "-f",
                            "MAXRSS %M",
                            "git",
                            "clone",
                            "--quiet",
                            "--depth",
                            "1",
                            "--single-branch",
                            url,
                            target.toString()),
                    scratch);
            millis.add((System.nanoTime() - started) / 1_000_000);
            rss = Math.max(rss, maxRss(out));
            io.fondation.engine.git.FileTrees.deleteRecursively(target);
        }
        return new Timed(millis, rss);
    }

    private Timed clonerRuns(GitClient client, String url, int runs) throws IOException {
        Path dir = Files.createDirectories(scratch.resolve("runs-" + client));
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "MAXRSS %M"));
        command.addAll(BenchEnv.javaMain(
                List.of(BenchEnv.QUICK_JIT),
                CloneRuns.class.getName(),
                client.name(),
                url,
                Integer.toString(runs),
                dir.toString()));
        String out = BenchEnv.run(command, scratch);
        List<Long> millis = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("RUN ")) {
                millis.add(Long.parseLong(line.substring(4).trim()));
            }
        }
        return new Timed(millis, maxRss(out));
    }

    private static long maxRss(String output) {
        for (String line : output.split("\n")) {
            if (line.startsWith("MAXRSS ")) {
                return Long.parseLong(line.substring(7).trim());
            }
        }
        return -1;
    }

    /**
     * A repository of {@code files} source-like files (1–3 KiB of words each, so that packs compress like code),
     * with a second branch and a tag that a single-branch clone must not fetch, published bare under
     * {@code hosting/<name>.git}.
     *
     * @return the size of its pack in KiB
     */
    private long createRepository(Path hosting, String name, int files) throws IOException {
        Path work = scratch.resolve("src-" + name);
        Random random = new Random(files);
        for (int i = 0; i < files; i++) {
            StringBuilder text = new StringBuilder("class File" + i + " {\n");
            int words = 150 + random.nextInt(300);
            for (int w = 0; w < words; w++) {
                text.append(WORDS[random.nextInt(WORDS.length)]).append(w % 12 == 11 ? ";\n" : " ");
            }
            text.append("}\n");
            Path file = work.resolve("src/pkg" + (i % 50) + "/sub" + (i % 7) + "/File" + i + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        }
        List<String> git = List.of("git", "-c", "user.name=Bench", "-c", "user.email=bench@example.test");
        BenchEnv.run(concat(List.of("git", "init", "-q", "-b", "main")), work);
        BenchEnv.run(concat(git, "add", "-A"), work);
        BenchEnv.run(concat(git, "commit", "-q", "-m", "many files"), work);
        BenchEnv.run(concat(git, "tag", "v1"), work);
        BenchEnv.run(concat(git, "checkout", "-q", "-b", "other"), work);
        Files.writeString(work.resolve("OTHER.md"), "another branch\n");
        BenchEnv.run(concat(git, "add", "-A"), work);
        BenchEnv.run(concat(git, "commit", "-q", "-m", "other"), work);
        BenchEnv.run(concat(git, "checkout", "-q", "main"), work);
        Path bare = hosting.resolve(name + ".git");
        BenchEnv.run(List.of("git", "clone", "-q", "--bare", work.toString(), bare.toString()), scratch);
        BenchEnv.run(List.of("git", "-C", bare.toString(), "repack", "-a", "-d", "-q"), scratch);
        try (var packs = Files.list(bare.resolve("objects/pack"))) {
            return packs.filter(p -> p.toString().endsWith(".pack"))
                            .mapToLong(p -> {
                                try {
                                    return Files.size(p);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            })
                            .sum()
                    / 1024;
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
