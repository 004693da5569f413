package io.fondation.clibridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The packages of cli-bridge form no cycle, and none of them depends on the top-level package. */
class PackageDependencyTest {

    private static final Path SOURCES = Path.of("src/main/java/io/fondation/clibridge");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package io\\.fondation\\.clibridge(?:\\.([a-z]+))?;");
    private static final Pattern IMPORT =
            Pattern.compile("(?m)^import (?:static )?io\\.fondation\\.clibridge\\.(?:([a-z]+)\\.)?[A-Z]");
    private static final String TOP = "(top)";

    @Test
    void packagesFormNoCycle() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        assertThat(uses.keySet()).contains(TOP, "claude", "failure", "process", "output");
        List<String> cycle = findCycle(uses);
        assertThat(cycle).as("package dependencies %s", uses).isEmpty();
    }

    @Test
    void noPackageDependsOnTheTopLevelOne() throws IOException {
        dependencies().forEach((pkg, used) -> {
            if (!pkg.equals(TOP)) {
                assertThat(used).as("what %s uses", pkg).doesNotContain(TOP);
            }
        });
    }

    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                Matcher p = PACKAGE.matcher(text);
                assertThat(p.find()).as("package of %s", file).isTrue();
                String pkg = p.group(1) == null ? TOP : p.group(1);
                Set<String> used = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher i = IMPORT.matcher(text);
                while (i.find()) {
                    String target = i.group(1) == null ? TOP : i.group(1);
                    if (!target.equals(pkg)) {
                        used.add(target);
                    }
                }
            }
        }
        return uses;
    }

    /** A cycle as a path of packages, or empty. */
    private static List<String> findCycle(Map<String, Set<String>> uses) {
        Set<String> done = new TreeSet<>();
        for (String start : uses.keySet()) {
            Deque<String> path = new ArrayDeque<>();
            List<String> cycle = visit(start, uses, path, done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        return List.of();
    }

    private static List<String> visit(String pkg, Map<String, Set<String>> uses, Deque<String> path, Set<String> done) {
        if (path.contains(pkg)) {
            List<String> cycle = new ArrayList<>(path);
            cycle.add(pkg);
            return cycle;
        }
        if (!done.add(pkg)) {
            return List.of();
        }
        path.addLast(pkg);
        for (String next : uses.getOrDefault(pkg, Set.of())) {
            List<String> cycle = visit(next, uses, path, done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.removeLast();
        return List.of();
    }
}
