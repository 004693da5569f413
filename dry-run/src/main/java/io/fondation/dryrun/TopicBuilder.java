package io.fondation.dryrun;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Groups a repository's files into abstractions by directory. The top-level directories come first;
 * while fewer than {@value #MIN_DIRECTORY_GROUPS} directories hold the code (a single {@code src/}
 * for instance), the largest one is split into its sub-directories, skipping chains of directories
 * that only hold one sub-directory ({@code src/main/java/com/acme}). Past
 * {@value #MAX_ABSTRACTIONS} groups the smallest are merged into one.
 */
public final class TopicBuilder {

    static final int MIN_DIRECTORY_GROUPS = 3;
    static final int MAX_ABSTRACTIONS = 10;
    private static final int MAX_SPLITS = 8;
    private static final Set<String> ACRONYMS = Set.of(
            "api", "cli", "ui", "db", "sql", "http", "io", "js", "ts", "ci", "yaml", "json", "xml", "html", "css",
            "sdk", "url", "id", "jvm", "ai", "llm", "mcp", "grpc", "rpc", "aws", "gcp", "k8s", "ux", "os");
    private static final Set<String> TEST_SEGMENTS =
            Set.of("test", "tests", "__tests__", "spec", "specs", "testing", "it");
    private static final Set<String> BUILD_FILES = Set.of(
            "pom.xml",
            "build.gradle",
            "build.gradle.kts",
            "settings.gradle",
            "settings.gradle.kts",
            "package.json",
            "cargo.toml",
            "go.mod",
            "pyproject.toml",
            "setup.py",
            "makefile",
            "cmakelists.txt",
            "dockerfile");

    /** Builds the abstractions of {@code inventory}, in the order of {@code step1_abstractions.yaml}. */
    public List<Topic> build(RepositoryInventory inventory) {
        if (inventory.files().isEmpty()) {
            throw new IllegalArgumentException(
                    "the repository has no text files to analyse (binary files and build outputs are skipped)");
        }
        Node root = new Node("");
        inventory.files().forEach(file -> root.add(file, file.path()));

        List<Group> groups = new ArrayList<>();
        if (!root.files.isEmpty()) {
            groups.add(new Group(root, Topic.Kind.ROOT_FILES));
        }
        root.children.values().forEach(child -> groups.add(new Group(child.collapse(), Topic.Kind.DIRECTORY)));
        split(groups);
        List<Group> kept = capped(groups);
        return toAbstractions(kept);
    }

    private static void split(List<Group> groups) {
        for (int round = 0; round < MAX_SPLITS; round++) {
            long directories =
                    groups.stream().filter(g -> g.kind == Topic.Kind.DIRECTORY).count();
            if (directories >= MIN_DIRECTORY_GROUPS) {
                return;
            }
            Group largest = groups.stream()
                    .filter(g -> g.kind == Topic.Kind.DIRECTORY && !g.node.children.isEmpty())
                    .max(Comparator.comparingInt((Group g) -> g.node.total())
                            .thenComparing(g -> g.node.path, Comparator.reverseOrder()))
                    .orElse(null);
            if (largest == null) {
                return;
            }
            int at = groups.indexOf(largest);
            groups.remove(at);
            List<Group> replacement = new ArrayList<>();
            if (!largest.node.files.isEmpty()) {
                replacement.add(new Group(largest.node, Topic.Kind.DIRECTORY_FILES));
            }
            largest.node
                    .children
                    .values()
                    .forEach(child -> replacement.add(new Group(child.collapse(), Topic.Kind.DIRECTORY)));
            groups.addAll(at, replacement);
        }
    }

    /** Keeps the root files and the largest groups; merges the rest into one "Other Files" group. */
    private static List<Group> capped(List<Group> groups) {
        if (groups.size() <= MAX_ABSTRACTIONS) {
            return groups;
        }
        List<Group> rootGroups =
                groups.stream().filter(g -> g.kind == Topic.Kind.ROOT_FILES).toList();
        List<Group> others = new ArrayList<>(
                groups.stream().filter(g -> g.kind != Topic.Kind.ROOT_FILES).toList());
        others.sort(Comparator.comparingInt((Group g) -> g.files().size())
                .reversed()
                .thenComparing(g -> g.node.path));
        int room = MAX_ABSTRACTIONS - rootGroups.size() - 1;
        List<Group> kept = new ArrayList<>(rootGroups);
        kept.addAll(others.subList(0, room));
        Group rest = new Group(null, Topic.Kind.OTHER);
        others.subList(room, others.size()).forEach(g -> rest.extra.addAll(g.files()));
        kept.add(rest);
        return kept;
    }

    private static List<Topic> toAbstractions(List<Group> groups) {
        // Root files first, then directories by path, the merged group last: a stable reading of the tree.
        List<Group> sorted = new ArrayList<>(groups);
        sorted.sort(Comparator.comparingInt(
                        (Group g) -> g.kind == Topic.Kind.ROOT_FILES ? 0 : g.kind == Topic.Kind.OTHER ? 2 : 1)
                .thenComparing(g -> g.node == null ? "" : g.node.path));
        Map<String, Integer> nameUses = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (Group group : sorted) {
            String name = baseName(group);
            names.add(name);
            nameUses.merge(name, 1, Integer::sum);
        }
        List<Topic> result = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            Group group = sorted.get(i);
            String name = names.get(i);
            if (nameUses.get(name) > 1 && group.node != null) {
                name = name + " (" + group.node.path + ")";
            }
            String directory = group.kind == Topic.Kind.OTHER ? null : group.node.path;
            result.add(new Topic(i, name, directory, group.kind, ordered(group.files())));
        }
        return List.copyOf(result);
    }

    /** READMEs, build files, main files, then tests, the larger files first; ties by path. */
    private static List<SourceFile> ordered(List<SourceFile> files) {
        List<SourceFile> copy = new ArrayList<>(files);
        copy.sort(Comparator.comparingInt(TopicBuilder::rank)
                .thenComparing(Comparator.comparingInt(SourceFile::lines).reversed())
                .thenComparing(SourceFile::path));
        return copy;
    }

    private static int rank(SourceFile file) {
        if (file.isReadme()) {
            return 0;
        }
        return isBuildFile(file) ? 1 : file.isTest() ? 3 : 2;
    }

    static boolean isBuildFile(SourceFile file) {
        return BUILD_FILES.contains(file.fileName().toLowerCase(Locale.ROOT));
    }

    private static String baseName(Group group) {
        return switch (group.kind) {
            case ROOT_FILES -> "Project Root";
            case OTHER -> "Other Files";
            case DIRECTORY, DIRECTORY_FILES -> {
                String path = group.node.path;
                String last = path.substring(path.lastIndexOf('/') + 1);
                String title = titleCase(last);
                boolean test = false;
                for (String segment : path.split("/")) {
                    test |= TEST_SEGMENTS.contains(segment.toLowerCase(Locale.ROOT));
                }
                if (test
                        && !title.toLowerCase(Locale.ROOT).contains("test")
                        && !title.toLowerCase(Locale.ROOT).contains("spec")) {
                    title = title + " Tests";
                }
                yield group.kind == Topic.Kind.DIRECTORY_FILES ? title + " Core Files" : title;
            }
        };
    }

    /** {@code cli-bridge} → {@code CLI Bridge}, {@code jobQueue} → {@code Job Queue}. */
    static String titleCase(String segment) {
        String spaced = segment.replaceAll("([a-z0-9])([A-Z])", "$1 $2")
                .replaceAll("[-_.\\s]+", " ")
                .trim();
        if (spaced.isEmpty()) {
            return segment;
        }
        StringBuilder out = new StringBuilder();
        for (String word : spaced.split(" ")) {
            if (out.length() > 0) {
                out.append(' ');
            }
            String lower = word.toLowerCase(Locale.ROOT);
            out.append(
                    ACRONYMS.contains(lower)
                            ? lower.toUpperCase(Locale.ROOT)
                            : Character.toUpperCase(word.charAt(0)) + word.substring(1));
        }
        return out.toString();
    }

    /** A directory of the repository with the files directly in it and its sub-directories. */
    private static final class Node {
        final String path;
        final List<SourceFile> files = new ArrayList<>();
        final Map<String, Node> children = new TreeMap<>();

        Node(String path) {
            this.path = path;
        }

        void add(SourceFile file, String remaining) {
            int slash = remaining.indexOf('/');
            if (slash < 0) {
                files.add(file);
                return;
            }
            String name = remaining.substring(0, slash);
            children.computeIfAbsent(name, n -> new Node(path.isEmpty() ? n : path + "/" + n))
                    .add(file, remaining.substring(slash + 1));
        }

        int total() {
            return files.size()
                    + children.values().stream().mapToInt(Node::total).sum();
        }

        List<SourceFile> all() {
            List<SourceFile> all = new ArrayList<>(files);
            children.values().forEach(child -> all.addAll(child.all()));
            return all;
        }

        /** Skips directories that hold nothing but one sub-directory. */
        Node collapse() {
            Node node = this;
            while (node.files.isEmpty() && node.children.size() == 1) {
                node = node.children.values().iterator().next();
            }
            return node;
        }
    }

    private static final class Group {
        final Node node;
        final Topic.Kind kind;
        final List<SourceFile> extra = new ArrayList<>();

        Group(Node node, Topic.Kind kind) {
            this.node = node;
            this.kind = kind;
        }

        List<SourceFile> files() {
            return switch (kind) {
                case ROOT_FILES, DIRECTORY_FILES -> node.files;
                case DIRECTORY -> node.all();
                case OTHER -> extra;
            };
        }
    }
}
