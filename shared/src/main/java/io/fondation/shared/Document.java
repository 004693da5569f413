package io.fondation.shared;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One generated document, as stored in the {@code docs} table.
 *
 * @param slug the path relative to the analyzer's output directory, e.g. {@code chapters/chapter_1_intro.md}
 * @param title the title shown in the web app
 * @param chapterIndex the numeric index for chapters and tutorials, or {@code null}
 * @param kind chapter, tutorial, toc or yaml
 * @param content Markdown, or JSON for {@code yaml} documents
 */
public record Document(String slug, String title, Integer chapterIndex, DocumentKind kind, String content) {

    public Document {
        if (slug == null || slug.isBlank()) {
            throw new IllegalArgumentException("a document needs a slug");
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(content, "content");
        title = title == null || title.isBlank() ? slug : title;
    }

    /** The UTF-8 size of the content, which storage limits apply to. */
    public int contentBytes() {
        return content.getBytes(StandardCharsets.UTF_8).length;
    }
}
