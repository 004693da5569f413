package io.fondation.convexqueue.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.convexqueue.client.ConvexClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test server's own lifecycle: it starts, answers, stops, and fails loudly without Node. */
class LocalConvexServerTest {

    @Test
    void startsAnswersAndStops() {
        LocalConvexServer server = LocalConvexServer.hardened().start();
        try {
            assertThat(server.isRunning()).isTrue();
            assertThat(server.url()).startsWith("http://127.0.0.1:");
            ConvexClient client = ConvexClient.builder().url(server.url()).build();
            assertThat(client.query("queue:capabilities", Map.of()).get("api").asText())
                    .isEqualTo("fondation-queue");
        } finally {
            server.close();
        }
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(server::url)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not running");
    }

    @Test
    void aFrozenClockMovesOnlyWhenTheTestMovesIt() {
        LocalConvexServer server = LocalConvexServer.hardened().frozenClock().start();
        try {
            ConvexClient client = ConvexClient.builder().url(server.url()).build();
            Instant start = Instant.parse("2026-01-01T00:00:00Z");
            server.setClock(start);

            assertThat(createdAt(client, "a")).isEqualTo(start.toEpochMilli());
            assertThat(createdAt(client, "b")).as("no time passes by itself").isEqualTo(start.toEpochMilli());
            server.advanceClock(Duration.ofMinutes(1));
            assertThat(createdAt(client, "c")).isEqualTo(start.plusSeconds(60).toEpochMilli());
        } finally {
            server.close();
        }
    }

    private static long createdAt(ConvexClient client, String name) {
        String secret = LocalConvexServer.WORKER_SECRET;
        String id = client.mutation(
                        "queue:enqueue",
                        Map.of("source", Map.of("fullName", "acme/" + name), "prompt", "p", "workerSecret", secret))
                .asText();
        return client.query("queue:getJob", Map.of("jobId", id, "workerSecret", secret))
                .get("createdAt")
                .longValue();
    }

    @Test
    void withoutNodeItFailsSayingNodeIsRequired() {
        String previous = System.getProperty("fondation.node");
        System.setProperty("fondation.node", "/nonexistent/bin/node");
        try {
            assertThatThrownBy(() -> LocalConvexServer.hardened().start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Node.js 20+ is required to run the Convex test server")
                    .hasMessageContaining("/nonexistent/bin/node");
        } finally {
            if (previous == null) {
                System.clearProperty("fondation.node");
            } else {
                System.setProperty("fondation.node", previous);
            }
        }
    }
}
