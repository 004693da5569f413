package io.fondation.dryrun;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Walks a checked-out repository within {@link ScanLimits}: skips VCS metadata, build outputs,
 * dependency folders, binary files and symbolic links (which could point outside the repository),
 * and records for every text file its size, line count, first lines and import-like lines.
 * Directories are listed in sorted order, so the result is the same on every run.
 */
public final class RepositoryScanner {

    private static final Set<String> SKIPPED_DIRECTORIES = Set.of(
            "node_modules",
            "target",
            "build",
            "dist",
            "out",
            "obj",
            "__pycache__",
            "venv",
            "vendor",
            "coverage",
            "bower_components",
            "jspm_packages",
            "site-packages",
            "Pods",
            "DerivedData",
            "fondation-output");
    // Hidden directories are skipped, except these, which hold things worth reading (CI workflows).
    private static final Set<String> KEPT_HIDDEN_DIRECTORIES = Set.of(".github", ".gitlab", ".circleci");

    private static final Pattern REFERENCE = Pattern.compile(
            "^\\s*(import|from|export\\s.*\\sfrom|using|use|mod|require|require_relative|include|#\\s*include)\\b.*"
                    + "|.*\\b(require|import)\\s*\\(\\s*['\"].*");
    private static final Pattern GO_IMPORT_SPEC =
            Pattern.compile("^\\s*(import\\s+)?([\\w.]+\\s+)?\"[^\"\\s]+\"\\s*(//.*)?$");
    private static final Pattern JVM_PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;?\\s*$");
    private static final Pattern CSHARP_NAMESPACE = Pattern.compile("^\\s*namespace\\s+([\\w.]+)");
    private static final Pattern GO_MODULE = Pattern.compile("^\\s*module\\s+(\\S+)\\s*$");
    private static final int SNIFF_BYTES = 8_000;
    private static final int MAX_KEPT_LINE = 300;

    private final ScanLimits limits;

    public RepositoryScanner(ScanLimits limits) {
        this.limits = limits;
    }

    /**
     * Scans {@code root}.
     *
     * @param excluded a directory inside the repository to leave out (the analyzer's own output), or {@code null}
     */
    public RepositoryInventory scan(Path root, Path excluded) {
        Path base = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(base)) {
            throw new IllegalArgumentException("repository path " + root + " is not a directory");
        }
        Walk walk = new Walk(
                base, excluded == null ? null : excluded.toAbsolutePath().normalize());
        try {
            walk.directory(base, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read repository " + root + ": " + e.getMessage(), e);
        }
        walk.files.sort((a, b) -> a.path().compareTo(b.path()));
        return new RepositoryInventory(
                base,
                walk.files,
                walk.skippedBinary,
                walk.skippedUnreadable,
                walk.skippedDirectories,
                walk.limitReached,
                walk.goModule);
    }

    private final class Walk {
        private final Path base;
        private final Path excluded;
        private final List<SourceFile> files = new ArrayList<>();
        private final List<String> skippedDirectories = new ArrayList<>();
        private int skippedBinary;
        private int skippedUnreadable;
        private boolean limitReached;
        private long bytesRead;
        private String goModule;

        Walk(Path base, Path excluded) {
            this.base = base;
            this.excluded = excluded;
        }

        void directory(Path dir, int depth) throws IOException {
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                stream.forEach(entries::add);
            }
            entries.sort((a, b) ->
                    a.getFileName().toString().compareTo(b.getFileName().toString()));
            for (Path entry : entries) {
                if (limitReached) {
                    return;
                }
                BasicFileAttributes attributes =
                        Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String name = entry.getFileName().toString();
                if (attributes.isSymbolicLink() || attributes.isOther()) {
                    continue; // never leave the repository through a link
                }
                if (attributes.isDirectory()) {
                    if (skipDirectory(entry, name)) {
                        skippedDirectories.add(relative(entry) + "/");
                    } else if (depth + 1 >= limits.maxDepth()) {
                        limitReached = true;
                    } else {
                        try {
                            directory(entry, depth + 1);
                        } catch (IOException e) {
                            // An unreadable directory is left out; the rest of the repository still makes a course.
                            skippedDirectories.add(relative(entry) + "/");
                        }
                    }
                } else if (attributes.isRegularFile()) {
                    try {
                        file(entry, name, attributes.size());
                    } catch (IOException e) {
                        skippedUnreadable++;
                    }
                }
            }
        }

        private boolean skipDirectory(Path dir, String name) {
            if (dir.equals(excluded)) {
                return true;
            }
            if (name.startsWith(".")) {
                return !KEPT_HIDDEN_DIRECTORIES.contains(name);
            }
            return SKIPPED_DIRECTORIES.contains(name) || name.startsWith("target-");
        }

        private void file(Path path, String name, long size) throws IOException {
            if (Languages.isBinaryName(name) || Languages.isLockFile(name)) {
                skippedBinary++;
                return;
            }
            if (files.size() >= limits.maxFiles()) {
                limitReached = true;
                return;
            }
            String relative = relative(path);
            String language = Languages.of(name);
            if (bytesRead >= limits.maxTotalBytes()) {
                // Over budget: list the file, but do not read it.
                files.add(new SourceFile(relative, size, -1, language, List.of(), List.of(), null, false, ""));
                return;
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes((int) Math.min(limits.maxFileBytes(), limits.maxTotalBytes() - bytesRead));
            }
            bytesRead += bytes.length;
            if (looksBinary(bytes)) {
                skippedBinary++;
                return;
            }
            files.add(describe(relative, name, size, language, bytes));
        }

        private SourceFile describe(String relative, String name, long size, String language, byte[] bytes) {
            String text = decode(bytes);
            List<String> head = new ArrayList<>();
            List<String> references = new ArrayList<>();
            String declaredPackage = null;
            int lines = 0;
            boolean goFile = "Go".equals(language);
            boolean jvm = Set.of("Java", "Kotlin", "Scala", "Groovy").contains(language);
            for (String line : text.split("\n", -1)) {
                lines++;
                String clean = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                if (head.size() < limits.headLines()) {
                    head.add(cap(clean));
                }
                if (references.size() < limits.maxReferenceLines()
                        && (REFERENCE.matcher(clean).matches()
                                || (goFile && GO_IMPORT_SPEC.matcher(clean).matches()))) {
                    references.add(cap(clean.trim()));
                }
                if (declaredPackage == null) {
                    Matcher matcher = jvm
                            ? JVM_PACKAGE.matcher(clean)
                            : "C#".equals(language) ? CSHARP_NAMESPACE.matcher(clean) : null;
                    if (matcher != null && matcher.find()) {
                        declaredPackage = matcher.group(1);
                    }
                }
                if (goModule == null && "go.mod".equals(relative)) {
                    Matcher matcher = GO_MODULE.matcher(clean);
                    if (matcher.matches()) {
                        goModule = matcher.group(1);
                    }
                }
            }
            if (text.isEmpty()) {
                lines = 0;
            } else if (text.endsWith("\n")) {
                lines--; // the split leaves an empty last element after a final newline
            }
            while (!head.isEmpty() && head.get(head.size() - 1).isBlank()) {
                head.remove(head.size() - 1);
            }
            boolean truncated = bytes.length < size;
            String kept = relative.indexOf('/') < 0
                    ? text.substring(0, Math.min(text.length(), SourceFile.MAX_KEPT_TEXT))
                    : "";
            return new SourceFile(relative, size, lines, language, head, references, declaredPackage, truncated, kept);
        }

        private String relative(Path path) {
            return base.relativize(path).toString().replace('\\', '/');
        }
    }

    private static boolean looksBinary(byte[] bytes) {
        int end = Math.min(bytes.length, SNIFF_BYTES);
        for (int i = 0; i < end; i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            // Cannot happen with REPLACE; fall back to the lenient constructor all the same.
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static String cap(String line) {
        String printable = line.replace('\t', ' ');
        return printable.length() <= MAX_KEPT_LINE ? printable : printable.substring(0, MAX_KEPT_LINE) + "…";
    }
}
