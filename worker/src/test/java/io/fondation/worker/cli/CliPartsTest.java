package io.fondation.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import io.fondation.shared.JobLease;
import io.fondation.shared.JobResult;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces of the commands: document export, formatting, the progress display, repository arguments. */
class CliPartsTest {

    private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String ID = "1a2b3c4d-0000-4000-8000-000000000001";

    @TempDir
    Path temp;

    @Test
    void exportRefusesEverySlugThatLeavesTheDirectory() {
        Path base = temp.resolve("out");
        for (String slug : List.of(
                "../x.md",
                "a/../../x.md",
                "/etc/passwd",
                "\\\\server\\share",
                "C:\\x.md",
                "a/..",
                ".",
                "chapters/../..")) {
            assertThatThrownBy(() -> DocumentExporter.export(List.of(doc(slug)), base))
                    .as(slug)
                    .isInstanceOf(DocumentExporter.UnsafeSlugException.class)
                    .hasMessageStartingWith("refusing to write document '" + slug + "'");
        }
        assertThat(base).doesNotExist();
    }

    @Test
    void exportWritesNestedFilesAndRefusesALinkedDirectory() throws Exception {
        Path base = temp.resolve("out");
        List<Path> written = DocumentExporter.export(List.of(doc("a/b/c.md"), doc("top.yaml")), base);
        assertThat(written).containsExactly(base.resolve("a/b/c.md"), base.resolve("top.yaml"));
        assertThat(base.resolve("a/b/c.md")).hasContent("content of a/b/c.md");

        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Files.createSymbolicLink(base.resolve("linked"), elsewhere);
        assertThatThrownBy(() -> DocumentExporter.export(List.of(doc("linked/x.md")), base))
                .isInstanceOf(DocumentExporter.UnsafeSlugException.class)
                .hasMessageContaining("leads outside");
        assertThat(elsewhere.resolve("x.md")).doesNotExist();
    }

    @Test
    void progressTextDropsTheRepeatedStepPrefix() {
        assertThat(JobFormatter.progress(new Progress(2, 6, "Étape 2/6: Analyse des relations entre composants")))
                .isEqualTo("2/6 Analyse des relations entre composants");
        assertThat(JobFormatter.progress(new Progress(3, 6, "Step 3/6: Determining optimal chapter order")))
                .isEqualTo("3/6 Determining optimal chapter order");
        assertThat(JobFormatter.progress(Progress.starting("Clonage du dépôt"))).isEqualTo("Clonage du dépôt");
        assertThat(JobFormatter.progress(null)).isEqualTo("-");
    }

    @Test
    void theTableShowsOneLinePerJobWithTheErrorCut() {
        JobSnapshot failed = snapshot(JobStatus.DEAD, 5, "x".repeat(200) + "\nsecond line");
        String table = JobFormatter.table(List.of(failed));
        List<String> lines = table.lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1))
                .startsWith("1a2b3c4d  dead")
                .contains("5/5", "octo/app (main)")
                .endsWith("x".repeat(JobFormatter.ERROR_WIDTH - 1) + "…");
        assertThat(JobFormatter.detail(failed)).contains("Last error:\n  " + "x".repeat(200) + "\n  second line\n");
    }

    @Test
    void pipedProgressIsOneLinePerEvent() {
        StringWriter text = new StringWriter();
        ProgressDisplay display = new ProgressDisplay(new PrintWriter(text), CLOCK, false);
        ClaimedJob claimed = new ClaimedJob(
                ID,
                CloneSource.ofFullName("octo/app", null),
                "",
                1,
                3,
                new JobLease(ID, "dev-1", "token", NOW.plusSeconds(300)));
        display.onClaimed(claimed);
        display.onPhase(ID, JobStatus.CLONING);
        display.onProgress(ID, Progress.starting("Clonage du dépôt"));
        display.onProgress(ID, new Progress(2, 6, "Étape 2/6: Analyse des relations entre composants"));
        display.onPhase(ID, JobStatus.GATHERING);
        display.onOutcome(
                claimed,
                new AttemptOutcome.RetryScheduled(
                        JobFailure.of(FailureKind.TIMEOUT, "took too long\nstderr tail"), NOW.plusSeconds(7), 1, 3));
        display.onOutcome(
                claimed, new AttemptOutcome.Failed(JobFailure.of(FailureKind.INVALID_INPUT, "no such branch"), 1));
        display.onOutcome(claimed, new AttemptOutcome.Completed(JobResult.of("Analysis complete: 12 documents", 12)));
        display.onOutcome(claimed, new AttemptOutcome.Released(AttemptOutcome.ReleaseReason.SHUTDOWN, null, true));
        assertThat(text.toString().lines().toList())
                .containsExactly(
                        "[job 1a2b3c4d] claimed by dev-1, attempt 1/3",
                        "[job 1a2b3c4d] cloning: Clonage du dépôt",
                        "[job 1a2b3c4d] 2/6 Analyse des relations entre composants",
                        "[job 1a2b3c4d] gathering",
                        "[job 1a2b3c4d] attempt 1/3 failed (TIMEOUT): took too long …; retrying at "
                                + NOW.plusSeconds(7) + " (in 7 s)",
                        "[job 1a2b3c4d] failed in attempt 1/3 (INVALID_INPUT), not retried: no such branch",
                        "[job 1a2b3c4d] completed in attempt 1/3: Analysis complete: 12 documents",
                        "[job 1a2b3c4d] released without spending an attempt (the worker is shutting down); it runs"
                                + " again on a free worker");
    }

    @Test
    void onATerminalProgressIsABarRedrawnInPlace() {
        StringWriter text = new StringWriter();
        ProgressDisplay display = new ProgressDisplay(new PrintWriter(text), CLOCK, true);
        display.onProgress(ID, new Progress(3, 6, "Étape 3/6: Détermination de l'ordre optimal des chapitres"));
        display.onProgress(ID, new Progress(6, 6, "Étape 6/6: Génération de tutoriels interactifs"));
        display.onOutcome(
                new ClaimedJob(
                        ID,
                        CloneSource.ofFullName("octo/app", null),
                        "",
                        1,
                        3,
                        new JobLease(ID, "dev-1", "token", NOW.plusSeconds(300))),
                new AttemptOutcome.Completed(JobResult.of("Analysis complete: 3 documents", 3)));
        assertThat(text.toString())
                .isEqualTo(
                        "\r[job 1a2b3c4d] [############------------] 3/6 Détermination de l'ordre optimal des chapitres\u001b[K"
                                + "\r[job 1a2b3c4d] [########################] 6/6 Génération de tutoriels interactifs\u001b[K"
                                + System.lineSeparator()
                                + "[job 1a2b3c4d] completed in attempt 1/3: Analysis complete: 3 documents"
                                + System.lineSeparator());
    }

    @Test
    void repositoryArgumentsBecomeUrlsPathsOrOwnerName() throws Exception {
        CliEnvironment env = new CliEnvironment(java.util.Map.of(), CLOCK, temp, false, new ManualStopSignal());
        assertThat(RepositoryArgument.parse("https://host.test/a/b.git", null, env))
                .isEqualTo(CloneSource.ofUrl("https://host.test/a/b.git", null));
        assertThatThrownBy(() -> RepositoryArgument.parse("git@host.test:a/b.git", "dev", env))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("ssh address");
        assertThatThrownBy(() -> RepositoryArgument.parse("https://user:secret123@host.test/a/b.git", null, env))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("GITHUB_TOKEN")
                .hasMessageNotContaining("secret123");
        assertThat(RepositoryArgument.parse("octo/app", null, env)).isEqualTo(CloneSource.ofFullName("octo/app", null));
        Path local = io.fondation.dryrun.FixtureRepository.create(temp.resolve("octo/app"));
        // An existing local directory wins over the owner/name reading.
        assertThat(RepositoryArgument.parse("octo/app", null, env))
                .isEqualTo(CloneSource.ofUrl(local.toString(), null));
        assertThatThrownBy(() -> RepositoryArgument.parse(" ", null, env)).isInstanceOf(UsageException.class);
    }

    private static Document doc(String slug) {
        return new Document(slug, slug, null, DocumentKind.CHAPTER, "content of " + slug);
    }

    private static JobSnapshot snapshot(JobStatus status, int attempts, String error) {
        return new JobSnapshot(
                ID,
                status,
                CloneSource.ofFullName("octo/app", "main"),
                "",
                attempts,
                5,
                null,
                null,
                null,
                null,
                error,
                null,
                0,
                false,
                NOW,
                NOW,
                NOW);
    }
}
