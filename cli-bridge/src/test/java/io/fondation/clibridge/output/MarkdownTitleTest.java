package io.fondation.clibridge.output;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MarkdownTitleTest {

    @Test
    void findsTheFirstHeading() {
        assertThat(MarkdownTitle.of("# Chapter 1: Intro\n\n## Sub\n")).contains("Chapter 1: Intro");
        assertThat(MarkdownTitle.of("intro text\n\n### Third level # \n# Later\n"))
                .contains("Third level");
        assertThat(MarkdownTitle.of("Title\r\n=====\r\n")).contains("Title");
        assertThat(MarkdownTitle.of("   # indented three\n")).contains("indented three");
    }

    @Test
    void ignoresCodeFencesAndNonHeadings() {
        assertThat(MarkdownTitle.of("```bash\n# comment in code\n```\n# Real\n"))
                .contains("Real");
        assertThat(MarkdownTitle.of("~~~~\n# x\n~~~\n# still code\n~~~~\n## After\n"))
                .contains("After");
        assertThat(MarkdownTitle.of("#hashtag\n    # code block\n#\n")).isEmpty();
        assertThat(MarkdownTitle.of("")).isEmpty();
    }

    @Test
    void cutsAbsurdlyLongTitles() {
        assertThat(MarkdownTitle.of("# " + "t".repeat(1000)).orElseThrow()).hasSize(200);
    }
}
