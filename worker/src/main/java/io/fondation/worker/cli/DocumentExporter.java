package io.fondation.worker.cli;

import io.fondation.shared.Document;
import io.fondation.shared.FondationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a job's documents under a directory, each at its slug (the path the analyzer wrote it at,
 * such as {@code chapters/chapter_1_intro.md}). Slugs come from the queue, which other programs
 * write to, so every slug is checked first and none may lead outside the directory: absolute
 * paths, {@code ..}, and directories that are links elsewhere are refused before anything is written.
 */
public final class DocumentExporter {

    private DocumentExporter() {}

    /**
     * Writes {@code documents} under {@code directory}, replacing files of the same name.
     *
     * @return the files written, in the documents' order
     * @throws UnsafeSlugException naming a slug that would leave {@code directory}
     * @throws IOException when a file cannot be written
     */
    public static List<Path> export(List<Document> documents, Path directory) throws IOException {
        Path base = directory.toAbsolutePath().normalize();
        List<Path> targets = new ArrayList<>();
        for (Document document : documents) {
            targets.add(target(base, document.slug()));
        }
        Files.createDirectories(base);
        Path realBase = base.toRealPath();
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            Path target = targets.get(i);
            Files.createDirectories(target.getParent());
            // A directory inside the output that is a link to elsewhere would carry the write out.
            if (!target.getParent().toRealPath().startsWith(realBase) || Files.isSymbolicLink(target)) {
                throw new UnsafeSlugException("refusing to write document '"
                        + documents.get(i).slug() + "': its directory leads outside " + base);
            }
            Files.writeString(target, documents.get(i).content(), StandardCharsets.UTF_8);
            written.add(target);
        }
        return written;
    }

    /** The file for {@code slug} under {@code base}. */
    static Path target(Path base, String slug) {
        String problem = null;
        if (slug.startsWith("/") || slug.startsWith("\\") || slug.matches("^[A-Za-z]:.*")) {
            problem = "it is an absolute path";
        } else if (slug.contains("\0")) {
            problem = "it contains a NUL character";
        } else {
            for (String part : slug.split("[/\\\\]")) {
                if (part.equals("..")) {
                    problem = "it climbs out with '..'";
                }
            }
        }
        if (problem == null) {
            try {
                Path target = base.resolve(slug).normalize();
                if (target.startsWith(base) && !target.equals(base)) {
                    return target;
                }
                problem = "it does not name a file inside the output directory";
            } catch (InvalidPathException e) {
                problem = "it is not a valid path here (" + e.getReason() + ")";
            }
        }
        throw new UnsafeSlugException("refusing to write document '" + slug.replace("\0", "\\0") + "': " + problem);
    }

    /** A document's slug would lead outside the output directory; nothing was written. */
    public static final class UnsafeSlugException extends FondationException {
        public UnsafeSlugException(String message) {
            super(message);
        }
    }
}
