package io.fondation.dryrun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes a chapter (step 4) and its reviewed version (step 5) from facts only: where the files
 * are, how big they are, what the README says, what they import and what imports them, and their
 * first lines. The review re-checks the facts against the files on disk.
 */
final class ChapterRenderer {

    static final int MAX_TABLE_ROWS = 60;
    static final int MAX_PREVIEWS = 3;
    static final int README_LINES = 15;

    private final Course course;

    ChapterRenderer(Course course) {
        this.course = course;
    }

    /** {@code chapters/chapter_<n>_<slug>.md} */
    String chapter(ChapterPlan.Chapter chapter) {
        return page(
                        chapter,
                        "Generated offline by " + Facts.GENERATOR
                                + ": facts read from the repository's files (names, sizes, first lines, imports). No language model wrote or checked this text.")
                .toString();
    }

    /** {@code reviewed-chapters/chapter_<n>_<slug>.md}: the chapter plus checks made against the disk. */
    String reviewed(ChapterPlan.Chapter chapter) {
        StringBuilder out = page(
                chapter,
                "Reviewed offline by " + Facts.GENERATOR
                        + ": the facts of the chapter were checked again against the files on disk; see \"Review notes\" at the end.");
        out.append("## Review notes\n\n");
        review(chapter.abstraction())
                .forEach(note -> out.append("- ").append(note).append('\n'));
        return out.toString();
    }

    /** The title, the note on how the page was made, and the body shared by both versions of a chapter. */
    private StringBuilder page(ChapterPlan.Chapter chapter, String note) {
        StringBuilder out = new StringBuilder();
        out.append("# Chapter ")
                .append(chapter.number())
                .append(": ")
                .append(chapter.abstraction().name())
                .append("\n\n");
        out.append("> ").append(note).append("\n\n");
        body(chapter, out);
        return out;
    }

    private void body(ChapterPlan.Chapter chapter, StringBuilder out) {
        Topic a = chapter.abstraction();
        out.append("## At a glance\n\n");
        out.append("- Where: ").append(a.location()).append('\n');
        out.append("- Files: ").append(Facts.fileSummary(a)).append('\n');
        out.append("- Lines: ").append(Markdown.number(a.totalLines()));
        a.longestFile()
                .ifPresent(f -> out.append(" (the longest file: ")
                        .append(Markdown.code(f.path()))
                        .append(", ")
                        .append(Markdown.lines(f))
                        .append(" lines)"));
        out.append('\n');
        List<String> packages = a.packages();
        if (!packages.isEmpty()) {
            out.append("- Packages: ")
                    .append(packages.stream().limit(12).map(Markdown::code).collect(Collectors.joining(", ")));
            out.append(packages.size() > 12 ? ", and " + (packages.size() - 12) + " more\n" : "\n");
        }
        if (a.kind() == Topic.Kind.OTHER) {
            out.append("- Directories: ")
                    .append(Facts.directoriesOf(a).stream()
                            .limit(20)
                            .map(Markdown::code)
                            .collect(Collectors.joining(", ")))
                    .append('\n');
        }
        out.append("- Place in the course: ").append(chapter.reasoning()).append("\n\n");

        a.readme().ifPresent(readme -> {
            List<String> lines = readme.head().stream().limit(README_LINES).toList();
            if (!lines.isEmpty()) {
                out.append("## What the README says\n\n");
                out.append("The first lines of ")
                        .append(Markdown.code(readme.path()))
                        .append(":\n\n");
                out.append(Markdown.quote(lines)).append('\n');
            }
        });

        out.append("## Relationships\n\n");
        List<Link> outgoing = course.outgoing(a.index());
        List<Link> incoming = course.incoming(a.index());
        if (outgoing.isEmpty() && incoming.isEmpty()) {
            out.append("No imports or mentions link this part to the others.\n\n");
        } else {
            outgoing.forEach(r -> out.append("- ")
                    .append(r.label())
                    .append(' ')
                    .append(course.reference(r.to()))
                    .append(": ")
                    .append(evidence(r))
                    .append('\n'));
            incoming.forEach(r -> out.append("- ")
                    .append(passive(r.label()))
                    .append(' ')
                    .append(course.reference(r.from()))
                    .append(": ")
                    .append(evidence(r))
                    .append('\n'));
            out.append('\n');
        }

        out.append("## Files\n\n");
        out.append("| File | Language | Lines | Size |\n|---|---|---:|---:|\n");
        a.files().stream()
                .limit(MAX_TABLE_ROWS)
                .forEach(f -> out.append("| ")
                        .append(Markdown.cell(Markdown.code(f.path())))
                        .append(" | ")
                        .append(Markdown.cell(f.language()))
                        .append(" | ")
                        .append(Markdown.lines(f))
                        .append(" | ")
                        .append(Markdown.bytes(f.sizeBytes()))
                        .append(" |\n"));
        if (a.files().size() > MAX_TABLE_ROWS) {
            out.append("\n... and ").append(a.files().size() - MAX_TABLE_ROWS).append(" more files.\n");
        }
        out.append('\n');

        // Show code before build files and tests: the main sources say most about a part.
        List<SourceFile> previews = a.files().stream()
                .filter(f -> !f.isReadme() && !f.head().isEmpty())
                .sorted(Comparator.comparingInt((SourceFile f) -> f.isTest() ? 2 : TopicBuilder.isBuildFile(f) ? 1 : 0))
                .limit(MAX_PREVIEWS)
                .toList();
        if (!previews.isEmpty()) {
            out.append("## A first look at the files\n\n");
            for (SourceFile f : previews) {
                out.append("### ").append(Markdown.code(f.path())).append("\n\n");
                out.append("The first ")
                        .append(f.head().size())
                        .append(" of ")
                        .append(Markdown.lines(f))
                        .append(" lines:\n\n");
                out.append(Markdown.fenced(Languages.fenceLanguage(f.fileName()), f.head()))
                        .append('\n');
            }
        }
    }

    private static String evidence(Link r) {
        StringBuilder out = new StringBuilder();
        out.append(r.count()).append(r.count() == 1 ? " reference" : " references");
        if (!r.examples().isEmpty()) {
            out.append(", e.g. ")
                    .append(r.examples().stream()
                            .map(e -> Markdown.code(e.file()) + " " + Markdown.code(e.line()))
                            .collect(Collectors.joining("; ")));
        }
        return out.toString();
    }

    private static String passive(String label) {
        return switch (label) {
            case Link.DEPENDS_ON -> "Used by";
            case Link.DESCRIBES -> "Described by";
            case Link.CONFIGURES -> "Configured by";
            default -> label + " (from)";
        };
    }

    /** Checks made again on the files on disk, each a sentence. */
    private List<String> review(Topic a) {
        List<String> notes = new ArrayList<>();
        Path root = course.inventory().root();
        List<String> changed = new ArrayList<>();
        for (SourceFile f : a.files()) {
            Path path = root.resolve(f.path());
            try {
                if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || Files.size(path) != f.sizeBytes()) {
                    changed.add(f.path());
                }
            } catch (IOException e) {
                changed.add(f.path());
            }
        }
        if (changed.isEmpty()) {
            notes.add("All " + a.files().size() + " files listed are on disk with the sizes given.");
        } else {
            notes.add("Changed or missing since the scan: "
                    + changed.stream().limit(10).map(Markdown::code).collect(Collectors.joining(", ")) + ".");
        }
        if (a.readme().isEmpty()) {
            notes.add("There is no README here; the file names and first lines are the only documentation.");
        }
        long tests = a.files().stream().filter(SourceFile::isTest).count();
        notes.add(
                tests == 0
                        ? "No test files among these files."
                        : tests + (tests == 1 ? " file looks like a test." : " files look like tests."));
        List<SourceFile> large =
                a.files().stream().filter(f -> f.lines() > 1000).toList();
        if (!large.isEmpty()) {
            notes.add("Long files (over 1,000 lines): "
                    + large.stream()
                            .limit(5)
                            .map(f -> Markdown.code(f.path()) + " (" + Markdown.lines(f) + ")")
                            .collect(Collectors.joining(", "))
                    + ".");
        }
        List<SourceFile> partial =
                a.files().stream().filter(f -> f.truncated() || !f.wasRead()).toList();
        if (!partial.isEmpty()) {
            notes.add("Read only in part (size limits): "
                    + partial.stream()
                            .limit(5)
                            .map(f -> Markdown.code(f.path()))
                            .collect(Collectors.joining(", ")) + ".");
        }
        if (a.kind() != Topic.Kind.ROOT_FILES && course.incoming(a.index()).isEmpty()) {
            notes.add("Nothing else in the repository imports or mentions this part.");
        }
        return notes;
    }
}
