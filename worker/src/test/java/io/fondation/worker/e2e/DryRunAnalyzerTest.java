package io.fondation.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import io.fondation.shared.JobStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ANALYZER=dry-run: the offline analyzer runs as a child JVM and its output becomes documents. */
class DryRunAnalyzerTest {

    @TempDir
    Path temp;

    @Test
    void theDryRunAnalyzerCompletesAJob() {
        try (WorkerFixture fixture = new WorkerFixture(temp, Map.of("ANALYZER", "dry-run")).start()) {
            String id = fixture.submit(fixture.repository("sample"), null, "");
            long started = System.nanoTime();

            // Completed, or failed once (the clock is frozen, so a failed attempt waits for its backoff forever).
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> fixture.job(id).status().isTerminal()
                            || fixture.job(id).status() == JobStatus.PENDING
                                    && fixture.job(id).lastError() != null);
            System.out.println("e2e: dry-run job: " + (System.nanoTime() - started) / 1_000_000 + " ms");

            assertThat(fixture.job(id).status())
                    .as(String.valueOf(fixture.job(id).lastError()))
                    .isEqualTo(JobStatus.COMPLETED);
            List<Document> documents = fixture.queue().documents(id);
            assertThat(documents).isNotEmpty();
            assertThat(documents).extracting(Document::kind).contains(DocumentKind.YAML, DocumentKind.CHAPTER);
        }
    }
}
