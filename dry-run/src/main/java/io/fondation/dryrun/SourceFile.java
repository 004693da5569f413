package io.fondation.dryrun;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the scanner learned about one text file.
 *
 * @param path path relative to the repository root, with {@code /} separators
 * @param sizeBytes size on disk
 * @param lines number of lines, or -1 when the file was not read (read budget spent)
 * @param language a short language label derived from the name ("Java", "Markdown", ...)
 * @param head the first lines of the file
 * @param references import-like lines ({@code import}, {@code from}, {@code require(}, {@code #include} ...)
 * @param declaredPackage the package or namespace the file declares (Java, Kotlin, Scala, Go), if any
 * @param truncated whether only the first {@link ScanLimits#maxFileBytes()} bytes were read
 * @param text the whole text (at most 64 KiB) for files at the repository root, else {@code ""};
 *     used to find which directories the README and build files mention
 */
public record SourceFile(
        String path,
        long sizeBytes,
        int lines,
        String language,
        List<String> head,
        List<String> references,
        String declaredPackage,
        boolean truncated,
        String text) {

    private static final Pattern TEST_PATH = Pattern.compile(
            "(?i)(.*/)?(test|tests|__tests__|spec|specs)/.*|.*(Test|Tests|Spec|IT|_test|\\.test|\\.spec)\\.[A-Za-z]+");

    /** Text kept per root-level file at most. */
    public static final int MAX_KEPT_TEXT = 64 * 1024;

    public SourceFile {
        text = text == null ? "" : text;
        head = List.copyOf(head);
        references = List.copyOf(references);
    }

    /** The file name without its directories. */
    public String fileName() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** The directory part ({@code ""} at the root). */
    public String directory() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    public Optional<String> optionalPackage() {
        return Optional.ofNullable(declaredPackage);
    }

    /** Whether this is a README-like file. */
    public boolean isReadme() {
        return fileName().toLowerCase(Locale.ROOT).startsWith("readme");
    }

    /** Whether the path looks like test code ({@code src/test/}, {@code FooTest.java}, {@code foo.spec.ts} ...). */
    public boolean isTest() {
        return TEST_PATH.matcher(path).matches();
    }

    /** Whether the lines were counted. */
    public boolean wasRead() {
        return lines >= 0;
    }
}
