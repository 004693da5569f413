package io.fondation.dryrun;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes an interactive tutorial (step 6): terminal exercises on the repository's own files, each
 * with the answer computed from the scan, so a reader can check what they find.
 */
final class TutorialRenderer {

    private final Course course;

    TutorialRenderer(Course course) {
        this.course = course;
    }

    /** {@code tutorials/tutorial_<n>_<slug>.md} */
    String tutorial(ChapterPlan.Chapter chapter) {
        Topic a = chapter.abstraction();
        StringBuilder out = new StringBuilder();
        out.append("# Interactive Tutorial: ").append(a.name()).append("\n\n");
        out.append("> Generated offline by ")
                .append(Facts.GENERATOR)
                .append(
                        ": exercises built from the repository's own files; the expected answers were computed from them, not written by a language model.\n\n");
        out.append("Companion to chapter ")
                .append(chapter.number())
                .append(". Work in a clone of the repository, from its root directory.\n\n");

        int step = 1;
        out.append("## Step ").append(step++).append(": list the files\n\n");
        out.append(Markdown.fenced("sh", List.of(listCommand(a)))).append('\n');
        out.append("Expected: ")
                .append(Facts.fileSummary(a))
                .append(" (binary files and build outputs are not counted).\n\n");

        Optional<SourceFile> readme = a.readme();
        if (readme.isPresent()) {
            out.append("## Step ").append(step++).append(": read the README\n\n");
            out.append(Markdown.fenced(
                            "sh",
                            List.of("head -n 20 "
                                    + Markdown.shellQuote(readme.get().path()))))
                    .append('\n');
            Facts.readmeSummary(readme.get())
                    .ifPresent(s -> out.append("It begins: \"").append(s).append("\"\n\n"));
        }

        Optional<SourceFile> longest = a.longestFile();
        if (longest.isPresent()) {
            SourceFile f = longest.get();
            out.append("## Step ").append(step++).append(": open the longest file\n\n");
            out.append(Markdown.fenced("sh", List.of("wc -l " + Markdown.shellQuote(f.path()))))
                    .append('\n');
            out.append("Expected: ")
                    .append(Markdown.lines(f))
                    .append(" lines in ")
                    .append(Markdown.code(f.path()))
                    .append(" (")
                    .append(f.language())
                    .append(", ")
                    .append(Markdown.bytes(f.sizeBytes()))
                    .append(").\n\n");
        }

        Optional<Link> strongest = course.outgoing(a.index()).stream()
                .filter(r -> !r.examples().isEmpty())
                .max(Comparator.comparingInt(Link::count));
        if (strongest.isPresent()) {
            Link r = strongest.get();
            Link.Reference example = r.examples().get(0);
            out.append("## Step ").append(step++).append(": follow a link to another part\n\n");
            out.append(Markdown.fenced(
                            "sh",
                            List.of("grep -n -F " + Markdown.shellQuote(example.target()) + " "
                                    + Markdown.shellQuote(example.file()))))
                    .append('\n');
            out.append("Expected among the matches: ")
                    .append(Markdown.code(example.line()))
                    .append(". It points to ")
                    .append(course.reference(r.to()))
                    .append("; the scan found ")
                    .append(r.count())
                    .append(r.count() == 1 ? " such reference" : " such references")
                    .append(" from this part.\n\n");
        }

        out.append("## Check yourself\n\n");
        List<String[]> questions = questions(a);
        for (int i = 0; i < questions.size(); i++) {
            out.append(i + 1).append(". ").append(questions.get(i)[0]).append("\n\n");
            out.append("   <details><summary>Answer</summary>")
                    .append(questions.get(i)[1])
                    .append("</details>\n\n");
        }
        return out.toString();
    }

    private static String listCommand(Topic a) {
        return switch (a.kind()) {
            case ROOT_FILES -> "git ls-files | grep -v /";
            case DIRECTORY -> "git ls-files -- " + Markdown.shellQuote(a.directory() + "/");
            case DIRECTORY_FILES ->
                "git ls-files -- " + Markdown.shellQuote(a.directory() + "/") + " | grep -v "
                        + Markdown.shellQuote("^" + a.directory() + "/.*/");
            case OTHER ->
                "git ls-files -- "
                        + String.join(
                                " ",
                                Facts.directoriesOf(a).stream()
                                        .limit(8)
                                        .map(Markdown::shellQuote)
                                        .toList());
        };
    }

    private List<String[]> questions(Topic a) {
        List<String[]> questions = new ArrayList<>();
        questions.add(new String[] {
            "How many files does this part hold?", String.valueOf(a.files().size())
        });
        Map<String, Integer> languages = a.languageCounts();
        languages.entrySet().stream()
                .findFirst()
                .ifPresent(top -> questions.add(new String[] {
                    "Which language or format do most of its files use?",
                    top.getKey() + " (" + top.getValue() + " of " + a.files().size() + ")"
                }));
        List<Link> outgoing =
                course.outgoing(a.index()).stream().filter(Link::isDependency).toList();
        questions.add(new String[] {
            "Which other parts does its code import?",
            outgoing.isEmpty()
                    ? "None found by the scan."
                    : String.join(
                            ", ",
                            outgoing.stream().map(r -> course.reference(r.to())).toList())
        });
        List<Link> incoming = course.incoming(a.index());
        questions.add(new String[] {
            "What refers to it?",
            incoming.isEmpty()
                    ? "Nothing found by the scan."
                    : String.join(
                            ", ",
                            incoming.stream()
                                    .map(r -> course.reference(r.from()) + " — "
                                            + r.label().toLowerCase(Locale.ROOT))
                                    .toList())
        });
        return questions;
    }
}
