package io.fondation.http.api;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import org.commonmark.renderer.html.UrlSanitizer;

/**
 * Markdown to HTML for documents an LLM wrote about code nobody vetted (commonmark-java, with GFM tables): raw HTML
 * in the Markdown is escaped, never passed through, so a {@code <script>} or an {@code onerror} attribute shows as
 * text; link targets are kept only for {@code http}, {@code https}, {@code mailto} and same-page anchors (a {@code
 * javascript:} or {@code data:} link becomes an empty target); images only from this server. Links open without a
 * referrer or an opener. The page's Content-Security-Policy (no inline script) is the second wall.
 */
final class MarkdownHtml {

    private static final Parser PARSER = Parser.builder()
            .extensions(List.of(TablesExtension.create()))
            .maxOpenBlockParsers(64)
            .build();

    private static final HtmlRenderer RENDERER = HtmlRenderer.builder()
            .extensions(List.of(TablesExtension.create()))
            .escapeHtml(true)
            .sanitizeUrls(true)
            .urlSanitizer(new SafeUrls())
            .attributeProviderFactory(context -> (node, tagName, attributes) -> {
                if (node instanceof Link) {
                    attributes.put("rel", "nofollow noopener noreferrer");
                }
                if (node instanceof Image) {
                    attributes.put("loading", "lazy");
                }
            })
            .build();

    private MarkdownHtml() {}

    /** The HTML of {@code markdown}. */
    static String render(String markdown) {
        return RENDERER.render(PARSER.parse(markdown));
    }

    /** Escapes text for HTML content and attribute values. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Only web and mail links, and same-page anchors; images only from this server. */
    private static final class SafeUrls implements UrlSanitizer {
        private static final Map<String, Boolean> LINK_SCHEMES = Map.of("http", true, "https", true, "mailto", true);

        @Override
        public String sanitizeLinkUrl(String url) {
            String trimmed = url.strip();
            if (trimmed.startsWith("#")) {
                return trimmed;
            }
            int colon = trimmed.indexOf(':');
            if (colon > 0) {
                String scheme = trimmed.substring(0, colon).toLowerCase(Locale.ROOT);
                return LINK_SCHEMES.containsKey(scheme) && !containsControl(trimmed) ? trimmed : "";
            }
            // A relative link (chapters/chapter_2.md) points into the analyzer's output, not at this server.
            return "";
        }

        @Override
        public String sanitizeImageUrl(String url) {
            String trimmed = url.strip();
            return trimmed.startsWith("/") && !trimmed.startsWith("//") && !containsControl(trimmed) ? trimmed : "";
        }

        private static boolean containsControl(String url) {
            return url.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
        }
    }
}
