package io.fondation.shared;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The order in which a course's documents are read: the YAML files (by slug), then the chapters,
 * the reviewed chapters and the tutorials, each by their numeric index (chapter 10 after chapter 2,
 * unlike the old worker's string sort), then anything else by slug. Every queue backend lists a
 * job's documents in this order.
 */
public final class DocumentReadingOrder {

    /** The prefix of the analyzer's reviewed chapters. */
    public static final String REVIEWED_PREFIX = "reviewed-chapters/";

    /** The title prefix the existing worker gives reviewed chapters (their slugs may not say so). */
    public static final String REVIEWED_TITLE_PREFIX = "Reviewed: ";

    private static final Pattern INDEX_IN_NAME = Pattern.compile("(?:chapter|tutorial)_(\\d{1,9})(?:[_.]|$)");

    private static final Comparator<Document> ORDER = Comparator.comparingInt(DocumentReadingOrder::group)
            .thenComparing(DocumentReadingOrder::index, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Document::slug);

    private DocumentReadingOrder() {}

    /** The reading-order comparator. */
    public static Comparator<Document> comparator() {
        return ORDER;
    }

    /** The documents sorted in reading order. */
    public static List<Document> sorted(Collection<Document> documents) {
        return documents.stream().sorted(ORDER).toList();
    }

    private static int group(Document document) {
        if (document.kind() == DocumentKind.YAML) {
            return 0;
        }
        if (document.kind() == DocumentKind.CHAPTER) {
            return isReviewed(document) ? 2 : 1;
        }
        if (document.kind() == DocumentKind.TUTORIAL) {
            return 3;
        }
        return 4;
    }

    private static boolean isReviewed(Document document) {
        return document.slug().startsWith(REVIEWED_PREFIX) || document.title().startsWith(REVIEWED_TITLE_PREFIX);
    }

    /** The numeric index for chapters and tutorials: the stored one, else the one in the file name. */
    private static Integer index(Document document) {
        if (document.kind() != DocumentKind.CHAPTER && document.kind() != DocumentKind.TUTORIAL) {
            return null;
        }
        if (document.chapterIndex() != null) {
            return document.chapterIndex();
        }
        String name = document.slug().substring(document.slug().lastIndexOf('/') + 1);
        Matcher matcher = INDEX_IN_NAME.matcher(name);
        return matcher.find() ? Integer.valueOf(matcher.group(1)) : null;
    }
}
