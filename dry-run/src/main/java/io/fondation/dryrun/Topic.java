package io.fondation.dryrun;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One part of the repository the dry-run analyzer writes a chapter about: a directory, the files at
 * the repository root, or the remaining small directories together.
 *
 * @param index position in {@code step1_abstractions.yaml}, from 0 (the index relationships use)
 * @param name a readable name derived from the directory name
 * @param directory the directory relative to the repository root ({@code ""} for the root files,
 *     {@code null} for the group of remaining directories)
 * @param kind what the files are
 * @param files the files, most important first (READMEs, build files, then by size)
 */
public record Topic(int index, String name, String directory, Kind kind, List<SourceFile> files) {

    /** How an abstraction's files were chosen. */
    public enum Kind {
        /** The files directly at the repository root. */
        ROOT_FILES,
        /** A directory with everything below it. */
        DIRECTORY,
        /** Only the files directly in a directory whose sub-directories are abstractions of their own. */
        DIRECTORY_FILES,
        /** Several small directories merged so the course stays short. */
        OTHER
    }

    public Topic {
        files = List.copyOf(files);
    }

    /** Lines of the files that were read. */
    public long totalLines() {
        return files.stream()
                .filter(SourceFile::wasRead)
                .mapToLong(SourceFile::lines)
                .sum();
    }

    /** Number of files per language, most common first (ties by name). */
    public Map<String, Integer> languageCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        files.forEach(file -> counts.merge(file.language(), 1, Integer::sum));
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted((a, b) -> b.getValue().equals(a.getValue())
                        ? a.getKey().compareTo(b.getKey())
                        : b.getValue() - a.getValue())
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return sorted;
    }

    /** The declared packages or namespaces, sorted. */
    public List<String> packages() {
        return files.stream()
                .map(SourceFile::declaredPackage)
                .filter(p -> p != null)
                .distinct()
                .sorted()
                .toList();
    }

    /** The longest file that was read, READMEs aside, if any. */
    public Optional<SourceFile> longestFile() {
        return files.stream()
                .filter(SourceFile::wasRead)
                .filter(f -> !f.isReadme())
                .max(Comparator.comparingInt(SourceFile::lines));
    }

    /** The first README among the files, if any. */
    public Optional<SourceFile> readme() {
        return files.stream().filter(SourceFile::isReadme).findFirst();
    }

    /** Where the files are, for prose: {@code `dir/`}, the repository root, or several directories. */
    public String location() {
        return switch (kind) {
            case ROOT_FILES -> "the repository root (files only)";
            case DIRECTORY -> "`" + directory + "/`";
            case DIRECTORY_FILES ->
                "`" + directory + "/` (files directly in it; its sub-directories have chapters of their own)";
            case OTHER -> "several small directories";
        };
    }
}
