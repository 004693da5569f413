package io.fondation.worker.e2e;

import static io.fondation.shared.contract.JobSnapshotAssert.assertThatJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.engine.events.AttemptOutcome;
import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.JobSnapshot;
import io.fondation.shared.JobStatus;
import io.fondation.shared.Progress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuccessfulJobTest {

    @TempDir
    Path temp;

    @Test
    void aJobIsClonedAnalyzedStoredInReadingOrderAndItsWorkspaceDeleted() {
        try (WorkerFixture fixture = new WorkerFixture(temp).start()) {
            Path repository = fixture.repository("sample");
            long started = System.nanoTime();
            String id = fixture.submit(repository, null, "");

            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.job(id).status() == JobStatus.COMPLETED);
            long millis = (System.nanoTime() - started) / 1_000_000;
            System.out.println("e2e: one job, submit to completed: " + millis + " ms");

            JobSnapshot job = fixture.job(id);
            assertThatJob(job)
                    .hasStatus(JobStatus.COMPLETED)
                    .isNotLeased()
                    .hasAttempts(1)
                    .reachedStep(6)
                    .showsProgress("Analyse terminée");
            assertThat(job.result().documentCount()).isEqualTo(10);
            assertThat(job.result().message()).isEqualTo("Analysis complete: 10 documents");
            assertThat(job.result().details())
                    .containsEntry("analyzer_exit_code", 0)
                    .containsEntry("claude_session_id", "test-session")
                    .containsEntry("claude_total_cost_usd", 0.25)
                    .containsEntry("documents", 10);
            List<Document> documents = fixture.queue().documents(id);
            assertThat(documents).extracting(Document::slug).containsExactlyElementsOf(TestAnalyzer.EXPECTED_SLUGS);
            assertThat(documents.get(0).kind()).isEqualTo(DocumentKind.YAML);
            assertThat(documents.get(0).title()).isEqualTo("Abstractions");
            assertThat(documents.get(5).title()).isEqualTo("Chapter 10: Topic 10");
            assertThat(documents.get(9).kind()).isEqualTo(DocumentKind.TUTORIAL);
            await().atMost(Duration.ofSeconds(5)).until(() -> fixture.workspaceCount() == 0);

            assertThat(fixture.listener.claimOf(id).attempt()).isEqualTo(1);
            assertThat(fixture.listener.phasesOf(id))
                    .containsExactly(JobStatus.CLONING, JobStatus.ANALYZING, JobStatus.GATHERING);
            assertThat(fixture.listener.progressOf(id)).first().isEqualTo(Progress.starting("Clonage du dépôt"));
            assertThat(fixture.listener.progressOf(id))
                    .extracting(Progress::message)
                    .contains(
                            "Étape 2/6: Analyse des relations entre composants",
                            "Étape 6/6: Génération de tutoriels interactifs",
                            "Enregistrement des documents");
            // why: the row turns completed just before the worker reports the attempt's outcome (metrics, then
            // listeners)
            fixture.listener.awaitOutcome(id, AttemptOutcome.Completed.class, Duration.ofSeconds(10));
            assertThat(fixture.listener.outcomesOf(id))
                    .singleElement()
                    .isInstanceOfSatisfying(
                            AttemptOutcome.Completed.class,
                            completed -> assertThat(completed.result().documentCount())
                                    .isEqualTo(10));
            assertThat(fixture.runtime.worker().metrics().snapshot())
                    .containsEntry("jobs_total", 1L)
                    .containsEntry("jobs_succeeded_total", 1L)
                    .containsEntry("jobs_failed_total", 0L)
                    .containsEntry("jobs_active", 0)
                    .containsEntry("analyzer_cost_usd_total", 0.25)
                    .containsEntry("analyzer_input_tokens_total", 1200L)
                    .containsEntry("analyzer_output_tokens_total", 340L);
        }
    }
}
