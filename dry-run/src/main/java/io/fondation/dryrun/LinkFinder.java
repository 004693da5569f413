package io.fondation.dryrun;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds which abstractions refer to which, from the files' import-like lines: Java, Kotlin, Scala
 * and C# imports matched against declared packages, relative JavaScript/TypeScript imports and
 * workspace package names, Python module imports, Go imports under the {@code go.mod} module, C
 * includes; and which directories the README and build files at the repository root mention.
 */
public final class LinkFinder {

    private static final int MAX_EXAMPLES = 3;
    private static final Pattern JVM_IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)(?:\\.\\*)?\\s*;?.*");
    private static final Pattern CSHARP_USING =
            Pattern.compile("^using\\s+(?:static\\s+)?(?:\\w+\\s*=\\s*)?([\\w.]+)\\s*;.*");
    private static final Pattern JS_SPECIFIER =
            Pattern.compile("(?:\\bfrom|\\bimport|\\brequire\\s*\\(|\\bimport\\s*\\()\\s*['\"]([^'\"]+)['\"]");
    private static final Pattern PY_FROM = Pattern.compile("^from\\s+(\\.*)([\\w.]*)\\s+import\\b.*");
    private static final Pattern PY_IMPORT = Pattern.compile("^import\\s+([\\w.]+(?:\\s*,\\s*[\\w.]+)*)\\s*$");
    private static final Pattern GO_PATH = Pattern.compile("\"([^\"\\s]+)\"");
    private static final Pattern C_INCLUDE = Pattern.compile("^#\\s*include\\s*\"([^\"]+)\".*");
    private static final Pattern PACKAGE_JSON_NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+)\"");
    private static final List<String> JS_EXTENSIONS = List.of(
            "",
            ".ts",
            ".tsx",
            ".js",
            ".jsx",
            ".mjs",
            ".cjs",
            ".mts",
            ".cts",
            ".vue",
            ".svelte",
            ".json",
            "/index.ts",
            "/index.tsx",
            "/index.js",
            "/index.jsx",
            "/index.mjs");
    private static final Set<String> JS_LANGUAGES = Set.of("JavaScript", "TypeScript", "Vue", "Svelte");

    private final List<Topic> abstractions;
    /** Sorted, so the files under a directory can be found as a range. */
    private final TreeMap<String, Integer> ownerOfFile = new TreeMap<>();

    private final Map<String, Map<Integer, Integer>> packageOwners = new HashMap<>();
    private final Map<String, Set<Integer>> pythonModules = new HashMap<>();
    private final Map<String, Integer> workspacePackages = new HashMap<>();
    private final Map<String, Set<Integer>> pathSuffixes = new HashMap<>();
    private final String goModule;

    public LinkFinder(RepositoryInventory inventory, List<Topic> abstractions) {
        this.abstractions = List.copyOf(abstractions);
        this.goModule = inventory.goModule();
        for (Topic abstraction : abstractions) {
            for (SourceFile file : abstraction.files()) {
                int owner = abstraction.index();
                ownerOfFile.put(file.path(), owner);
                file.optionalPackage()
                        .ifPresent(p -> packageOwners
                                .computeIfAbsent(p, k -> new HashMap<>())
                                .merge(owner, 1, Integer::sum));
                if ("Python".equals(file.language())) {
                    indexPython(file.path(), owner);
                }
                if ("package.json".equals(file.fileName())) {
                    file.head().stream()
                            .map(PACKAGE_JSON_NAME::matcher)
                            .filter(Matcher::find)
                            .findFirst()
                            .ifPresent(m -> workspacePackages.putIfAbsent(m.group(1), owner));
                }
                addSuffixes(pathSuffixes, file.path(), owner);
            }
        }
    }

    /** The relationships, ordered by source then target index. */
    public List<Link> find() {
        Map<String, Accumulator> found = new TreeMap<>();
        for (Topic abstraction : abstractions) {
            for (SourceFile file : abstraction.files()) {
                for (String line : file.references()) {
                    target(file, line).ifPresent(target -> {
                        if (target.owner() != abstraction.index()) {
                            found.computeIfAbsent(
                                            key(abstraction.index(), target.owner(), Link.DEPENDS_ON),
                                            k -> new Accumulator(abstraction.index(), target.owner(), Link.DEPENDS_ON))
                                    .add(new Link.Reference(file.path(), line, target.name()));
                        }
                    });
                }
                if (abstraction.kind() == Topic.Kind.ROOT_FILES) {
                    mentions(abstraction, file, found);
                }
            }
        }
        List<Link> result = new ArrayList<>();
        found.values().forEach(acc -> result.add(new Link(acc.from, acc.to, acc.label, acc.count, acc.examples)));
        result.sort((a, b) -> a.from() != b.from()
                ? Integer.compare(a.from(), b.from())
                : a.to() != b.to() ? Integer.compare(a.to(), b.to()) : a.label().compareTo(b.label()));
        return List.copyOf(result);
    }

    private static String key(int from, int to, String label) {
        return String.format(Locale.ROOT, "%05d-%05d-%s", from, to, label);
    }

    /** Root README and build files naming a directory abstraction. */
    private void mentions(Topic root, SourceFile file, Map<String, Accumulator> found) {
        if (file.text().isEmpty()) {
            return;
        }
        String label = "Markdown".equals(file.language()) || file.isReadme() ? Link.DESCRIBES : Link.CONFIGURES;
        String[] lines = file.text().split("\n");
        for (Topic other : abstractions) {
            if (other.directory() == null || other.directory().isEmpty()) {
                continue;
            }
            // "core/src/main/java" is named "core" in a build file or README, when no other part starts with "core/".
            String top = topSegment(other.directory());
            boolean uniqueTop = abstractions.stream()
                            .filter(a -> a.directory() != null && !a.directory().isEmpty())
                            .filter(a -> topSegment(a.directory()).equals(top))
                            .count()
                    == 1;
            String needle = uniqueTop ? top : other.directory();
            Pattern token = Pattern.compile("(?<![\\w./-])" + Pattern.quote(needle) + "(?![\\w-])");
            for (int i = 0; i < lines.length; i++) {
                if (token.matcher(lines[i]).find()) {
                    String shown = "line " + (i + 1) + ": " + abbreviate(lines[i].trim());
                    found.computeIfAbsent(
                                    key(root.index(), other.index(), label),
                                    k -> new Accumulator(root.index(), other.index(), label))
                            .add(new Link.Reference(file.path(), shown, needle));
                }
            }
        }
    }

    private Optional<Target> target(SourceFile file, String line) {
        String language = file.language();
        Matcher m;
        switch (language) {
            case "Java", "Kotlin", "Scala", "Groovy" -> {
                m = JVM_IMPORT.matcher(line);
                return m.matches() ? packageTarget(m.group(1)) : Optional.empty();
            }
            case "C#" -> {
                m = CSHARP_USING.matcher(line);
                return m.matches() ? packageTarget(m.group(1)) : Optional.empty();
            }
            case "Python" -> {
                return pythonTarget(file, line);
            }
            case "Go" -> {
                m = GO_PATH.matcher(line);
                if (goModule != null && m.find() && m.group(1).startsWith(goModule + "/")) {
                    String path = m.group(1).substring(goModule.length() + 1);
                    return pathTarget(path, m.group(1));
                }
                return Optional.empty();
            }
            case "C", "C++", "Objective-C" -> {
                m = C_INCLUDE.matcher(line);
                if (!m.matches()) {
                    return Optional.empty();
                }
                String include = m.group(1);
                Optional<Target> relative = fileTarget(join(file.directory(), include), include);
                return relative.isPresent()
                        ? relative
                        : fileTarget(normalize(include), include).or(() -> suffixTarget(include));
            }
            default -> {
                if (JS_LANGUAGES.contains(language)) {
                    m = JS_SPECIFIER.matcher(line);
                    return m.find() ? jsTarget(file, m.group(1)) : Optional.empty();
                }
                return Optional.empty();
            }
        }
    }

    /**
     * The abstraction declaring the longest package that {@code name} starts with: {@code import
     * a.b.C} belongs to whoever declares {@code a.b}.
     */
    private Optional<Target> packageTarget(String name) {
        String candidate = name;
        while (!candidate.isEmpty()) {
            if (packageOwners.containsKey(candidate)) {
                return owner(candidate);
            }
            int dot = candidate.lastIndexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            candidate = candidate.substring(0, dot);
        }
        return Optional.empty();
    }

    private Optional<Target> owner(String packageName) {
        Map<Integer, Integer> owners = packageOwners.get(packageName);
        // A package split across main and test code belongs to whichever declares it most.
        return owners.entrySet().stream()
                .max((a, b) -> a.getValue().equals(b.getValue())
                        ? Integer.compare(b.getKey(), a.getKey())
                        : Integer.compare(a.getValue(), b.getValue()))
                .map(entry -> new Target(entry.getKey(), packageName));
    }

    private Optional<Target> jsTarget(SourceFile file, String specifier) {
        if (specifier.startsWith("./") || specifier.startsWith("../")) {
            String resolved = join(file.directory(), specifier);
            if (resolved == null) {
                return Optional.empty();
            }
            for (String extension : JS_EXTENSIONS) {
                Integer owner = ownerOfFile.get(resolved + extension);
                if (owner != null) {
                    return Optional.of(new Target(owner, specifier));
                }
            }
            return pathTarget(resolved, specifier);
        }
        for (Map.Entry<String, Integer> workspace : workspacePackages.entrySet()) {
            String name = workspace.getKey();
            if (specifier.equals(name) || specifier.startsWith(name + "/")) {
                return Optional.of(new Target(workspace.getValue(), name));
            }
        }
        return Optional.empty();
    }

    private Optional<Target> pythonTarget(SourceFile file, String line) {
        Matcher from = PY_FROM.matcher(line);
        List<String> modules = new ArrayList<>();
        if (from.matches()) {
            String dots = from.group(1);
            String module = from.group(2);
            if (!dots.isEmpty()) {
                // Relative import: one dot is the file's own package, each further dot one level up.
                String base = file.directory();
                for (int i = 1; i < dots.length() && base != null; i++) {
                    base = base.isEmpty() ? null : base.contains("/") ? base.substring(0, base.lastIndexOf('/')) : "";
                }
                if (base == null) {
                    return Optional.empty();
                }
                String path = module.isEmpty() ? base : (base.isEmpty() ? "" : base + "/") + module.replace('.', '/');
                return pathTarget(path, dots + module);
            }
            modules.add(module);
        } else {
            Matcher plain = PY_IMPORT.matcher(line);
            if (!plain.matches()) {
                return Optional.empty();
            }
            for (String module : plain.group(1).split(",")) {
                modules.add(module.trim());
            }
        }
        for (String module : modules) {
            String key = module.replace('.', '/');
            while (!key.isEmpty()) {
                Set<Integer> owners = pythonModules.get(key);
                if (owners != null && owners.size() == 1) {
                    return Optional.of(new Target(owners.iterator().next(), module));
                }
                int slash = key.lastIndexOf('/');
                key = slash < 0 ? "" : key.substring(0, slash);
            }
        }
        return Optional.empty();
    }

    /** The owner of a file with exactly this path. */
    private Optional<Target> fileTarget(String path, String name) {
        if (path == null) {
            return Optional.empty();
        }
        Integer owner = ownerOfFile.get(path);
        return owner == null ? Optional.empty() : Optional.of(new Target(owner, name));
    }

    /** The owner of this file, or of the first file under this directory. */
    private Optional<Target> pathTarget(String path, String name) {
        if (path == null) {
            return Optional.empty();
        }
        Integer owner = ownerOfFile.get(path);
        if (owner == null) {
            String prefix = path.isEmpty() ? "" : path + "/";
            Map.Entry<String, Integer> next = ownerOfFile.ceilingEntry(prefix);
            if (next != null && next.getKey().startsWith(prefix)) {
                owner = next.getValue();
            }
        }
        return owner == null ? Optional.empty() : Optional.of(new Target(owner, name));
    }

    /** The owner of the only file whose path ends with {@code /include}. */
    private Optional<Target> suffixTarget(String include) {
        Set<Integer> owners = pathSuffixes.get(normalize(include));
        return owners != null && owners.size() == 1
                ? Optional.of(new Target(owners.iterator().next(), include))
                : Optional.empty();
    }

    private void indexPython(String path, int owner) {
        String module = path.substring(0, path.length() - (path.endsWith(".pyi") ? 4 : 3));
        if (module.endsWith("/__init__")) {
            module = module.substring(0, module.length() - "/__init__".length());
        }
        addSuffixes(pythonModules, module, owner);
        int slash = module.lastIndexOf('/');
        if (slash > 0) {
            addSuffixes(pythonModules, module.substring(0, slash), owner); // namespace packages have no __init__
        }
    }

    private static void addSuffixes(Map<String, Set<Integer>> index, String path, int owner) {
        String rest = path;
        while (true) {
            index.computeIfAbsent(rest, k -> new HashSet<>()).add(owner);
            int slash = rest.indexOf('/');
            if (slash < 0) {
                return;
            }
            rest = rest.substring(slash + 1);
        }
    }

    /** {@code dir} + {@code relative}, normalised; null when it climbs above the repository root. */
    static String join(String dir, String relative) {
        return normalize(dir.isEmpty() ? relative : dir + "/" + relative);
    }

    static String normalize(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    private static String topSegment(String directory) {
        int slash = directory.indexOf('/');
        return slash < 0 ? directory : directory.substring(0, slash);
    }

    private static String abbreviate(String line) {
        return line.length() <= 160 ? line : line.substring(0, 160) + "…";
    }

    private record Target(int owner, String name) {}

    private static final class Accumulator {
        final int from;
        final int to;
        final String label;
        int count;
        final List<Link.Reference> examples = new ArrayList<>();
        final Set<String> exampleFiles = new HashSet<>();

        Accumulator(int from, int to, String label) {
            this.from = from;
            this.to = to;
            this.label = label;
        }

        void add(Link.Reference reference) {
            count++;
            // Examples from different files say more than three lines of one file.
            if (examples.size() < MAX_EXAMPLES && exampleFiles.add(reference.file())) {
                examples.add(reference);
            }
        }
    }

    /** Incoming dependency counts per abstraction index. */
    static Map<Integer, Integer> incomingDependencies(List<Link> relationships) {
        Map<Integer, Integer> incoming = new LinkedHashMap<>();
        relationships.stream().filter(Link::isDependency).forEach(r -> incoming.merge(r.to(), r.count(), Integer::sum));
        return incoming;
    }
}
