package io.fondation.shared;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void textThatFitsIsKeptWhole() {
        assertThat(Utf8.cut("ééé", 6, "…")).isEqualTo("ééé");
        assertThat(Utf8.tail("ééé", 6)).isEqualTo("ééé");
    }

    @Test
    void cutKeepsTheStartAndRoomForTheMarkerWithoutSplittingACharacter() {
        String cut = Utf8.cut("aé😀bc", 8, " …");
        assertThat(cut).isEqualTo("aé …");
        assertThat(Utf8.length(cut)).isLessThanOrEqualTo(8);
    }

    @Test
    void tailKeepsTheEndWithoutSplittingACharacter() {
        assertThat(Utf8.tail("ab😀é", 5)).isEqualTo("é");
        assertThat(Utf8.tail("ab😀é", 6)).isEqualTo("😀é");
    }
}
