package io.fondation.http.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.shared.Backoff;
import io.fondation.shared.Progress;
import io.fondation.shared.Secret;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallbackPartsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Test
    void localhostIsRewrittenOnlyInAContainerOrWhenAsked() throws Exception {
        URI local = URI.create("http://localhost:3000/api/hook?x=1");
        assertThat(LocalhostRewrite.rewrite(local)).hasToString("http://host.docker.internal:3000/api/hook?x=1");
        assertThat(LocalhostRewrite.rewrite(URI.create("http://127.0.0.1/h")))
                .hasToString("http://host.docker.internal/h");
        assertThat(LocalhostRewrite.rewrite(URI.create("http://[::1]:8/h")))
                .hasToString("http://host.docker.internal:8/h");
        assertThat(LocalhostRewrite.rewrite(URI.create("https://localhost/h"))).hasToString("https://localhost/h");
        assertThat(LocalhostRewrite.rewrite(URI.create("http://app.example.com/h")))
                .hasToString("http://app.example.com/h");

        assertThat(LocalhostRewrite.applies(LocalhostRewrite.Mode.AUTO, root)).isFalse();
        Files.writeString(root.resolve(".dockerenv"), "");
        assertThat(LocalhostRewrite.applies(LocalhostRewrite.Mode.AUTO, root)).isTrue();
        assertThat(LocalhostRewrite.applies(LocalhostRewrite.Mode.OFF, root)).isFalse();
        Files.delete(root.resolve(".dockerenv"));
        Files.createDirectories(root.resolve("run"));
        Files.writeString(root.resolve("run/.containerenv"), "");
        assertThat(LocalhostRewrite.inContainer(root)).as("podman's marker").isTrue();
        assertThat(LocalhostRewrite.Mode.parse("TRUE")).isEqualTo(LocalhostRewrite.Mode.ON);
        assertThatThrownBy(() -> LocalhostRewrite.Mode.parse("sometimes")).hasMessageContaining("auto, true or false");
    }

    @Test
    void inAContainerLocalhostIsRewrittenOnlyWhenItDoesNotAnswerAndTheAliasResolves() throws Exception {
        Files.writeString(root.resolve(".dockerenv"), "");
        URI local = URI.create("http://127.0.0.1:3000/hook");
        URI alias = URI.create("http://host.docker.internal:3000/hook");
        List<String> asked = new java.util.ArrayList<>();
        LocalhostRewrite.Probe silentResolving = probe(false, true, asked);
        assertThat(LocalhostRewrite.target(LocalhostRewrite.Mode.AUTO, local, root, silentResolving))
                .isEqualTo(alias);
        assertThat(asked).containsExactly("answers 127.0.0.1:3000", "resolves host.docker.internal");
        assertThat(LocalhostRewrite.target(LocalhostRewrite.Mode.AUTO, local, root, probe(true, true, asked)))
                .as("a receiver that answers where it is, is reached there")
                .isEqualTo(local);
        assertThat(LocalhostRewrite.target(LocalhostRewrite.Mode.AUTO, local, root, probe(false, false, asked)))
                .as("an alias that does not resolve would reach nothing")
                .isEqualTo(local);
        assertThat(LocalhostRewrite.target(LocalhostRewrite.Mode.ON, local, root, probe(true, false, asked)))
                .as("true always rewrites")
                .isEqualTo(alias);
        assertThat(LocalhostRewrite.target(LocalhostRewrite.Mode.OFF, local, root, silentResolving))
                .isEqualTo(local);
        Files.delete(root.resolve(".dockerenv"));
        assertThat(LocalhostRewrite.target(LocalhostRewrite.Mode.AUTO, local, root, silentResolving))
                .as("outside a container")
                .isEqualTo(local);
    }

    @Test
    void theNetworkProbeSeesAReceiverThatAnswersOnLoopback() throws Exception {
        try (java.net.ServerSocket listening =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThat(LocalhostRewrite.Probe.NETWORK.answers("127.0.0.1", listening.getLocalPort()))
                    .isTrue();
            Files.writeString(root.resolve(".dockerenv"), "");
            URI local = URI.create("http://127.0.0.1:" + listening.getLocalPort() + "/hook");
            assertThat(LocalhostRewrite.target(LocalhostRewrite.Mode.AUTO, local, root, LocalhostRewrite.Probe.NETWORK))
                    .isEqualTo(local);
        }
    }

    private static LocalhostRewrite.Probe probe(boolean answers, boolean resolves, List<String> asked) {
        asked.clear();
        return new LocalhostRewrite.Probe() {
            @Override
            public boolean answers(String host, int port) {
                asked.add("answers " + host + ":" + port);
                return answers;
            }

            @Override
            public boolean resolves(String name) {
                asked.add("resolves " + name);
                return resolves;
            }
        };
    }

    @Test
    void aCallbackTargetNeverShowsItsTokenOrQuery() {
        CallbackTarget target = new CallbackTarget(
                CallbackTarget.parseUrl("https://app.example.com/hook?sig=abc123"), Secret.of("fake-token-0000000001"));
        assertThat(target.toString())
                .doesNotContain("fake-token")
                .doesNotContain("sig=abc123")
                .contains("[redacted]");
        assertThat(target.describe()).isEqualTo("https://app.example.com/hook");
        assertThatThrownBy(() -> CallbackTarget.parseUrl("http://u:pw-secret@h/x"))
                .hasMessageContaining("must not contain credentials")
                .hasMessageNotContaining("pw-secret");
        assertThatThrownBy(() -> CallbackTarget.parseUrl("file:///etc/passwd")).hasMessageContaining("not supported");
        assertThatThrownBy(() -> CallbackTarget.parseUrl(" ")).hasMessageContaining("empty");
    }

    @Test
    void theBodiesHaveTheExistingFormat() throws Exception {
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        assertThat(JSON.readTree(CallbackBodies.progress("j", "analyzing", new Progress(2, 6, "Étape 2/6"), now)))
                .hasToString(
                        "{\"jobId\":\"j\",\"type\":\"progress\",\"status\":\"analyzing\",\"message\":\"Étape 2/6\","
                                + "\"step\":2,\"totalSteps\":6,\"timestamp\":\"2026-01-01T12:00:00Z\"}");
        assertThat(JSON.readTree(CallbackBodies.error("j", "boom", now)))
                .hasToString("{\"jobId\":\"j\",\"type\":\"error\",\"status\":\"failed\",\"error\":\"boom\","
                        + "\"timestamp\":\"2026-01-01T12:00:00Z\"}");
        assertThat(JSON.readTree(CallbackBodies.complete("j", Duration.ofMillis(1234), List.of(), now))
                        .get("duration")
                        .asLong())
                .isEqualTo(1234);
    }

    @Test
    void progressCallbacksAreCoalescedPerStepAndNoneFollowsTheEnd() {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            CallbackClient client = new CallbackClient(
                    Duration.ofSeconds(5), Backoff.doubling(Duration.ofMillis(5), Duration.ofMillis(20)));
            CallbackTarget target = new CallbackTarget(URI.create(receiver.url()), null);
            ProgressCallbacks progress = new ProgressCallbacks(client, target, 3);
            // The receiver is held back by failures, so the later offers wait and coalesce.
            receiver.failNext(2);
            progress.offer("a:1", "{\"type\":\"progress\",\"n\":1}".getBytes());
            progress.offer("a:2", "{\"type\":\"progress\",\"n\":2}".getBytes());
            progress.offer("a:2", "{\"type\":\"progress\",\"n\":3}".getBytes());
            progress.offer("a:3", "{\"type\":\"progress\",\"n\":4}".getBytes());

            assertThat(progress.finish(Duration.ofSeconds(10))).isTrue();
            progress.offer("a:4", "{\"type\":\"progress\",\"n\":5}".getBytes());

            assertThat(receiver.accepted())
                    .extracting(r -> r.body().get("n").asInt())
                    .containsExactly(1, 3, 4);
            assertThat(progress.delivered()).isEqualTo(3);
            assertThat(progress.dropped()).isZero();
        }
    }
}
