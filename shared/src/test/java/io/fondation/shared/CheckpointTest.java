package io.fondation.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointTest {

    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    private static CheckpointBasis basis(String commit, String model, String prompt) {
        return new CheckpointBasis(commit, "fondation-cli", "2.3.1", model, CheckpointBasis.fingerprint(prompt));
    }

    @Test
    void aBasisNamesEveryInputThatDiffersAndNeverThePrompt() {
        CheckpointBasis checkpoint = basis(COMMIT, "claude-sonnet-5-5", "Explain the secret parser");
        CheckpointBasis wanted = new CheckpointBasis(
                "fedcba9876543210fedcba9876543210fedcba98",
                "claude",
                "2.1.330",
                "",
                CheckpointBasis.fingerprint("Explain the parser"));

        assertThat(checkpoint.differencesFrom(checkpoint)).isEmpty();
        assertThat(checkpoint.differencesFrom(basis(COMMIT, "claude-sonnet-5-5", "Explain the secret parser")))
                .isEmpty();
        assertThat(checkpoint.differencesFrom(wanted))
                .containsExactly(
                        "commit 0123456789ab (checkpoint) is not fedcba987654",
                        "analyzer fondation-cli (checkpoint) is not claude",
                        "analyzer version 2.3.1 (checkpoint) is not 2.1.330",
                        "model claude-sonnet-5-5 (checkpoint) is not (the analyzer's default)",
                        "the prompt differs");
        assertThat(String.join(" ", checkpoint.differencesFrom(wanted))).doesNotContain("secret");
    }

    @Test
    void aFingerprintIsTheSha256OfThePromptsUtf8Bytes() {
        // sha256("") and sha256("é" as UTF-8: c3 a9), computed independently
        assertThat(CheckpointBasis.fingerprint(""))
                .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(CheckpointBasis.fingerprint("é"))
                .isEqualTo("sha256:4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
        assertThat(CheckpointBasis.fingerprint("a")).isNotEqualTo(CheckpointBasis.fingerprint("b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0123abc", "0123456789ABCDEF0123456789ABCDEF01234567", "main", ""})
    void aBasisNeedsAFullLowerCaseCommitId(String commit) {
        assertThatThrownBy(() -> basis(commit, "", "p"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commit");
    }

    @Test
    void aBasisRefusesMalformedParts() {
        String fingerprint = CheckpointBasis.fingerprint("p");
        assertThatThrownBy(() -> new CheckpointBasis(COMMIT, "Fondation CLI", "1", "", fingerprint))
                .hasMessageContaining("analyzerKind");
        assertThatThrownBy(() -> new CheckpointBasis(COMMIT, "claude", "", "", fingerprint))
                .hasMessageContaining("analyzerVersion");
        assertThatThrownBy(() -> new CheckpointBasis(COMMIT, "claude", "1", "a\nb", fingerprint))
                .hasMessageContaining("model");
        assertThatThrownBy(() -> new CheckpointBasis(COMMIT, "claude", "1", "", "Explain the parser"))
                .hasMessageContaining("promptFingerprint");
        assertThat(new CheckpointBasis(COMMIT, "claude", "1", null, fingerprint).model())
                .isEmpty();
        String sha256Commit = "ab".repeat(32);
        assertThat(new CheckpointBasis(sha256Commit, "claude", "1", "", fingerprint).commit())
                .isEqualTo(sha256Commit);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/etc/passwd",
                "../outside.md",
                "chapters/../../x.md",
                "chapters/./x.md",
                "chapters//x.md",
                "chapters\\x.md",
                "chapters/x y.md",
                "",
                "chapters/"
            })
    void aCheckpointFilePathStaysInsideTheOutputDirectory(String path) {
        assertThatThrownBy(() -> new CheckpointFile(path, "text")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCheckpointFileKnowsItsSizeAndDigestAndPrintsNoContent() {
        CheckpointFile file = new CheckpointFile("chapters/chapter_1_intro.md", "é");
        assertThat(file.contentBytes()).isEqualTo(2);
        assertThat(file.sha256()).hasSize(64).isEqualTo(new CheckpointFile("other.md", "é").sha256());
        assertThat(file.toString())
                .contains("chapters/chapter_1_intro.md", "2 bytes")
                .doesNotContain("é");
        assertThatThrownBy(() -> new CheckpointFile("a/" + "b".repeat(254), "")).hasMessageContaining("255");
    }

    @Test
    void aCheckpointListsItsFilesByPathAndRefusesTheSamePathTwice() {
        CheckpointBasis basis = basis(COMMIT, "", "p");
        CheckpointFile b = new CheckpointFile("tutorials/tutorial_1_a.md", "b");
        CheckpointFile a = new CheckpointFile("chapters/chapter_1_a.md", "aa");
        Checkpoint checkpoint = new Checkpoint("job-1", basis, List.of(b, a), false, Instant.EPOCH);

        assertThat(checkpoint.files()).containsExactly(a, b);
        assertThat(checkpoint.contents()).containsExactly(Map.entry(a.path(), "aa"), Map.entry(b.path(), "b"));
        assertThat(checkpoint.file(b.path())).contains(b);
        assertThat(checkpoint.file("missing.md")).isEmpty();
        assertThat(checkpoint.contentBytes()).isEqualTo(3);
        assertThatThrownBy(() -> new Checkpoint("job-1", basis, List.of(a, a), false, Instant.EPOCH))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> CheckpointSupport.unsupported(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
