package io.fondation.dryrun;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Factual sentences about an abstraction, shared by the YAML description and the chapters. */
final class Facts {

    /** Marks every file the dry-run analyzer writes. */
    static final String GENERATOR = "fondation-dry-run (no LLM)";

    private Facts() {}

    /** "42 files (35 Java, 4 XML, 3 Markdown)" */
    static String fileSummary(Topic a) {
        Map<String, Integer> counts = a.languageCounts();
        String languages = counts.entrySet().stream()
                .limit(4)
                .map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
        if (counts.size() > 4) {
            languages += ", ...";
        }
        int n = a.files().size();
        return n + (n == 1 ? " file" : " files") + " (" + languages + ")";
    }

    /** The one-paragraph description written to {@code step1_abstractions.yaml}. */
    static String description(Topic a) {
        List<String> sentences = new ArrayList<>();
        String where = switch (a.kind()) {
            case ROOT_FILES -> "Files at the repository root";
            case DIRECTORY -> "Directory " + a.directory() + "/";
            case DIRECTORY_FILES -> "Files directly in " + a.directory() + "/";
            case OTHER -> "Smaller directories merged together";
        };
        sentences.add(where + ": " + fileSummary(a) + ", " + Markdown.number(a.totalLines()) + " lines.");
        List<String> packages = a.packages();
        if (!packages.isEmpty()) {
            sentences.add("Packages: " + packages.stream().limit(3).collect(Collectors.joining(", "))
                    + (packages.size() > 3 ? " and " + (packages.size() - 3) + " more" : "") + ".");
        }
        a.readme()
                .flatMap(Facts::readmeSummary)
                .ifPresent(summary -> sentences.add("Its README begins: \"" + summary + "\"."));
        if (a.kind() == Topic.Kind.OTHER) {
            sentences.add("Directories: " + directoriesOf(a).stream().limit(6).collect(Collectors.joining(", ")) + ".");
        }
        sentences.add("(Summarised offline by " + GENERATOR + ".)");
        return String.join(" ", sentences);
    }

    /** The top-level directories an abstraction's files are in, sorted. */
    static List<String> directoriesOf(Topic a) {
        return a.files().stream()
                .map(SourceFile::directory)
                .map(d -> d.isEmpty() ? "/" : d + "/")
                .distinct()
                .sorted()
                .toList();
    }

    /** The README's title and first sentence of prose, at most 200 characters. */
    static Optional<String> readmeSummary(SourceFile readme) {
        String title = null;
        String prose = null;
        for (String raw : readme.head()) {
            String line = raw.trim();
            if (line.isEmpty()
                    || line.startsWith("[![")
                    || line.startsWith("<")
                    || line.startsWith("```")
                    || line.startsWith("---")) {
                continue;
            }
            if (line.startsWith("#") || line.startsWith("=")) {
                if (title == null && line.startsWith("#")) {
                    title = line.replaceFirst("^#+\\s*", "");
                }
                continue;
            }
            prose = line;
            break;
        }
        String summary = title == null ? prose : prose == null ? title : title + " — " + prose;
        if (summary == null || summary.isBlank()) {
            return Optional.empty();
        }
        summary = summary.replace('"', '\'');
        return Optional.of(summary.length() <= 200 ? summary : summary.substring(0, 200) + "…");
    }
}
