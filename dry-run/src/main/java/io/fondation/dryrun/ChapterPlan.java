package io.fondation.dryrun;

import java.util.List;

/**
 * The chapters in reading order ({@code step3_order.yaml}).
 *
 * @param chapters one per abstraction, {@code chapters.get(i).number() == i + 1}
 */
public record ChapterPlan(List<Chapter> chapters) {

    public ChapterPlan {
        chapters = List.copyOf(chapters);
    }

    /**
     * One chapter.
     *
     * @param number the chapter number, from 1 (the {@code index} in {@code step3_order.yaml})
     * @param abstraction what it is about
     * @param slug the file-name part derived from the name
     * @param reasoning why it comes at this place
     */
    public record Chapter(int number, Topic abstraction, String slug, String reasoning) {

        /** {@code chapter_<n>_<slug>.md} */
        public String chapterFileName() {
            return "chapter_" + number + "_" + slug + ".md";
        }

        /** {@code tutorial_<n>_<slug>.md} */
        public String tutorialFileName() {
            return "tutorial_" + number + "_" + slug + ".md";
        }
    }

    /** The chapter about the abstraction with this index. */
    public Chapter chapterOf(int abstractionIndex) {
        return chapters.stream()
                .filter(c -> c.abstraction().index() == abstractionIndex)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no chapter for abstraction " + abstractionIndex));
    }
}
