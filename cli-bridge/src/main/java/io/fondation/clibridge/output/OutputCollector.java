package io.fondation.clibridge.output;

import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.DocumentReadingOrder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the Fondation CLI's output directory into documents:
 * <pre>
 * step1_abstractions.yaml, step2_relationships.yaml, step3_order.yaml  → kind yaml, JSON content
 * chapters/chapter_&lt;i&gt;_&lt;slug&gt;.md            → kind chapter, title "&lt;first heading&gt;"
 * reviewed-chapters/chapter_&lt;i&gt;_&lt;slug&gt;.md   → kind chapter, title "Reviewed: &lt;first heading&gt;"
 * tutorials/tutorial_&lt;i&gt;_&lt;slug&gt;.md          → kind tutorial, title "Tutorial: &lt;first heading&gt;"
 * </pre>
 * Markdown files are ordered by their numeric index (chapter 2 before chapter 10). Symbolic links
 * are never followed, nothing outside the directory is read, file count and sizes are capped
 * before anything is read, and invalid UTF-8, empty chapters and invalid YAML are errors that
 * name the file.
 */
public final class OutputCollector {

    /** Titles the existing worker gave the YAML documents. */
    public static final String ABSTRACTIONS_TITLE = "Abstractions";

    public static final String RELATIONSHIPS_TITLE = "Relationships";
    public static final String ORDER_TITLE = "Chapter Order";

    private static final Pattern INDEXED = Pattern.compile("^(?:[A-Za-z]+[_-])?(\\d{1,9})(?:[_\\-.].*)?\\.md$");
    private static final Pattern ANY_NUMBER = Pattern.compile("(\\d{1,9})");

    private enum Section {
        CHAPTERS("chapters", DocumentKind.CHAPTER, "", "chapter"),
        // why: the reading order recognises reviewed chapters by this title prefix too.
        REVIEWED(
                "reviewed-chapters",
                DocumentKind.CHAPTER,
                DocumentReadingOrder.REVIEWED_TITLE_PREFIX,
                "reviewed chapter"),
        TUTORIALS("tutorials", DocumentKind.TUTORIAL, "Tutorial: ", "tutorial");

        final String directory;
        final DocumentKind kind;
        final String titlePrefix;
        final String noun;

        Section(String directory, DocumentKind kind, String titlePrefix, String noun) {
            this.directory = directory;
            this.kind = kind;
            this.titlePrefix = titlePrefix;
            this.noun = noun;
        }
    }

    private final OutputLimits limits;
    private final SafeYaml yaml;

    public OutputCollector(OutputLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.yaml = new SafeYaml(limits.maxFileBytes());
    }

    /**
     * Reads every document, failing on the first bad file.
     *
     * @throws OutputException naming the file and the problem
     */
    public CollectedOutput collect(Path outputDir) {
        PartialOutput partial = collectPartial(outputDir);
        if (!partial.problems().isEmpty()) {
            throw partial.problems().get(0);
        }
        return new CollectedOutput(partial.documents(), partial.warnings());
    }

    /**
     * Reads every good document and reports bad files as problems instead of failing, so a run
     * that failed at step 4 still yields the documents of steps 1 to 3.
     */
    public PartialOutput collectPartial(Path outputDir) {
        Run run = new Run();
        Path root;
        try {
            BasicFileAttributes attrs = Files.readAttributes(outputDir, BasicFileAttributes.class);
            if (!attrs.isDirectory()) {
                run.problems.add(new OutputException(".", "output directory '" + outputDir + "' is not a directory"));
                return run.result();
            }
            root = outputDir.toRealPath();
        } catch (NoSuchFileException e) {
            run.problems.add(new OutputException(".", "output directory '" + outputDir + "' does not exist"));
            return run.result();
        } catch (IOException e) {
            run.problems.add(
                    new OutputException(".", "cannot read output directory '" + outputDir + "': " + e.getMessage()));
            return run.result();
        }
        try {
            collectYaml(root, run);
            for (Section section : Section.values()) {
                collectSection(root, section, run);
            }
        } catch (LimitExceeded e) {
            run.problems.add(e.problem);
        }
        return run.result();
    }

    private void collectYaml(Path root, Run run) {
        List<Abstraction> abstractions = null;
        Relationships relationships = null;
        ChapterOrder order = null;
        Object[] loaded = new Object[3];
        String[] names = {StepFiles.ABSTRACTIONS, StepFiles.RELATIONSHIPS, StepFiles.ORDER};
        String[] titles = {ABSTRACTIONS_TITLE, RELATIONSHIPS_TITLE, ORDER_TITLE};
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            try {
                String text = read(root, root.resolve(name), name, run);
                if (text == null) {
                    continue;
                }
                if (text.isBlank()) {
                    throw OutputException.skippable(name, "file is empty");
                }
                Object document = yaml.load(name, text);
                switch (i) {
                    case 0:
                        abstractions = StepFiles.abstractions(document);
                        break;
                    case 1:
                        relationships = StepFiles.relationships(document);
                        break;
                    default:
                        order = StepFiles.order(document);
                        break;
                }
                loaded[i] = document;
            } catch (OutputException e) {
                run.problems.add(e);
            }
        }
        try {
            StepFiles.crossCheck(abstractions, relationships, order);
        } catch (OutputException e) {
            run.problems.add(e);
            // the file pointing at missing abstractions is not trustworthy
            if (e.file().equals(StepFiles.RELATIONSHIPS)) {
                loaded[1] = null;
            } else {
                loaded[2] = null;
            }
        }
        for (int i = 0; i < names.length; i++) {
            if (loaded[i] != null) {
                run.documents.add(
                        new Document(names[i], titles[i], null, DocumentKind.YAML, JsonText.stringify(loaded[i])));
            }
        }
    }

    private void collectSection(Path root, Section section, Run run) {
        Path dir = root.resolve(section.directory);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            run.problems.add(new OutputException(section.directory, "cannot read: " + e.getMessage()));
            return;
        }
        if (attrs.isSymbolicLink()) {
            run.problems.add(new OutputException(section.directory, "is a symbolic link; refused"));
            return;
        }
        if (!attrs.isDirectory()) {
            run.problems.add(new OutputException(section.directory, "is not a directory"));
            return;
        }
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path path : stream) {
                String name = path.getFileName().toString();
                String slug = section.directory + "/" + name;
                if (!name.endsWith(".md")) {
                    if (!name.startsWith(".")) {
                        run.warnings.add(slug + ": not a Markdown file; ignored");
                    }
                    continue;
                }
                run.countFile(slug, limits);
                entries.add(new Entry(path, slug, indexOf(name)));
            }
        } catch (IOException e) {
            run.problems.add(new OutputException(section.directory, "cannot list: " + e.getMessage()));
            return;
        }
        entries.sort(Comparator.comparing((Entry e) -> e.index == null ? Integer.MAX_VALUE : e.index)
                .thenComparing(e -> e.slug));
        for (Entry entry : entries) {
            try {
                String text = read(root, entry.path, entry.slug, run);
                if (text == null) {
                    continue;
                }
                if (text.isBlank()) {
                    throw OutputException.skippable(entry.slug, "empty " + section.noun);
                }
                if (entry.index == null) {
                    run.warnings.add(entry.slug + ": no numeric index in the file name; ordered last");
                }
                String heading = MarkdownTitle.of(text).orElseGet(() -> {
                    run.warnings.add(entry.slug + ": no heading; titled after the file name");
                    return fileTitle(entry.path);
                });
                run.documents.add(
                        new Document(entry.slug, section.titlePrefix + heading, entry.index, section.kind, text));
            } catch (OutputException e) {
                run.problems.add(e);
            }
        }
    }

    /**
     * Reads one file without following links and within the limits.
     *
     * @return the text, or null if the file does not exist
     */
    private String read(Path root, Path path, String slug, Run run) {
        Path normal = path.normalize();
        if (!normal.startsWith(root)) {
            throw new OutputException(slug, "is outside the output directory; refused");
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(normal, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new OutputException(slug, "cannot read: " + e.getMessage(), e);
        }
        if (attrs.isSymbolicLink()) {
            throw new OutputException(slug, "is a symbolic link; refused (links are never followed)");
        }
        if (!attrs.isRegularFile()) {
            throw new OutputException(slug, "is not a regular file");
        }
        if (slug.endsWith(".yaml")) {
            run.countFile(slug, limits);
        }
        long size = attrs.size();
        if (size > limits.maxFileBytes()) {
            throw new OutputException(slug, "is " + size + " bytes, more than the limit of " + limits.maxFileBytes());
        }
        run.countBytes(slug, size, limits);
        byte[] bytes;
        // why: NOFOLLOW_LINKS opens with O_NOFOLLOW, so a file swapped for a link after the check is refused too.
        try (InputStream in = Files.newInputStream(normal, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes((int) limits.maxFileBytes() + 1);
        } catch (IOException e) {
            throw new OutputException(slug, "cannot read: " + e.getMessage(), e);
        }
        if (bytes.length > limits.maxFileBytes()) {
            throw new OutputException(
                    slug, "grew beyond the limit of " + limits.maxFileBytes() + " bytes while being read");
        }
        return decode(slug, bytes);
    }

    /**
     * Strict UTF-8: invalid bytes are an error naming their offset. A leading BOM is dropped.
     *
     * @throws OutputException naming {@code slug} (skippable) when the bytes are not valid UTF-8
     */
    public static String decode(String slug, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw OutputException.skippable(
                    slug, "is not valid UTF-8 (invalid byte sequence at byte offset " + in.position() + ")");
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /**
     * The numeric index in an output file's name ({@code chapter_10_x.md} → 10; the first number otherwise), or null
     * when it has none.
     */
    public static Integer indexOf(String name) {
        Matcher m = INDEXED.matcher(name);
        if (m.matches()) {
            return Integer.valueOf(m.group(1));
        }
        m = ANY_NUMBER.matcher(name);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    private static String fileTitle(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".md") ? name.substring(0, name.length() - 3) : name;
    }

    private static final class Entry {
        final Path path;
        final String slug;
        final Integer index;

        Entry(Path path, String slug, Integer index) {
            this.path = path;
            this.slug = slug;
            this.index = index;
        }
    }

    /** A limit was exceeded: collection stops there. */
    private static final class LimitExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient OutputException problem;

        LimitExceeded(OutputException problem) {
            super(problem.getMessage(), null, false, false);
            this.problem = problem;
        }
    }

    private static final class Run {
        final List<Document> documents = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final List<OutputException> problems = new ArrayList<>();
        int files;
        long bytes;

        void countFile(String slug, OutputLimits limits) {
            files++;
            if (files > limits.maxFiles()) {
                throw new LimitExceeded(new OutputException(
                        slug, "more than " + limits.maxFiles() + " output files; limit exceeded, collection stopped"));
            }
        }

        void countBytes(String slug, long size, OutputLimits limits) {
            bytes += size;
            if (bytes > limits.maxTotalBytes()) {
                throw new LimitExceeded(new OutputException(
                        slug,
                        "output exceeds " + limits.maxTotalBytes()
                                + " bytes in total; limit exceeded, collection stopped"));
            }
        }

        PartialOutput result() {
            return new PartialOutput(documents, warnings, problems);
        }
    }
}
