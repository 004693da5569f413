package io.fondation.convexqueue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.testing.LocalConvexServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Subscriptions over the sync socket against the test server (whose protocol the official npm client checks in
 * {@code tests-ts/server.sync.peer.test.ts}): pushed updates, re-subscription after a dropped or silent socket or
 * a server restart, failing queries, refused credentials, malformed frames. Every wait is bounded.
 */
class ConvexSubscriptionTest {

    @RegisterExtension
    static final LocalConvexServer CONVEX = LocalConvexServer.hardened();

    private static final String SECRET = LocalConvexServer.WORKER_SECRET;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<ConvexClient> clients = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger syncLogger = (Logger) LoggerFactory.getLogger(SyncConnection.class);

    @BeforeEach
    void captureLogs() {
        logs.start();
        syncLogger.addAppender(logs);
    }

    @AfterEach
    void closeClients() {
        syncLogger.detachAppender(logs);
        clients.forEach(ConvexClient::close);
    }

    private ConvexClient client(java.util.function.UnaryOperator<ConvexClient.Builder> settings) {
        ConvexClient client = settings.apply(ConvexClient.builder()
                        .url(CONVEX.url())
                        .syncReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(400)))
                .build();
        clients.add(client);
        return client;
    }

    private ConvexClient client() {
        return client(b -> b);
    }

    /** What a subscription heard, with bounded waits. */
    static final class Heard implements SubscriptionListener {
        final BlockingQueue<JsonNode> values = new LinkedBlockingQueue<>();
        final BlockingQueue<ConvexException> errors = new LinkedBlockingQueue<>();

        @Override
        public void onUpdate(JsonNode value) {
            values.add(value);
        }

        @Override
        public void onError(ConvexException error) {
            errors.add(error);
        }

        JsonNode next(Predicate<JsonNode> wanted, String what) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (long left = WAIT.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                JsonNode value = values.poll(left, TimeUnit.NANOSECONDS);
                if (value != null && wanted.test(value)) {
                    return value;
                }
            }
            throw new AssertionError("no " + what + " within " + WAIT);
        }

        ConvexException error() throws InterruptedException {
            ConvexException error = errors.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(error).as("an error within " + WAIT).isNotNull();
            return error;
        }
    }

    private static Predicate<JsonNode> pending(int count) {
        return value -> value.path("pending").asInt(-1) == count;
    }

    private static ConvexSubscription watch(ConvexClient client, Heard heard) {
        return client.subscribe("queue:watch", Map.of("workerSecret", SECRET), heard);
    }

    private static void enqueue(ConvexClient client) {
        client.mutation(
                "queue:enqueue",
                Map.of("source", Map.of("fullName", "acme/widgets"), "prompt", "p", "workerSecret", SECRET));
    }

    private static int openSockets() {
        return CONVEX.calls(false).path("sync").path("open").asInt();
    }

    @Test
    void aSocketThatCannotBeOpenedIsOneLineThenQuietCountedRetriesAndOneLineWhenItWorksAgain() throws Exception {
        try (io.fondation.convexqueue.testing.FlakyTcpProxy proxy =
                io.fondation.convexqueue.testing.FlakyTcpProxy.to(CONVEX.url())) {
            proxy.down();
            ConvexClient client = ConvexClient.builder()
                    .url(proxy.url())
                    .syncReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(80))
                    .build();
            clients.add(client);
            Heard heard = new Heard();
            ConvexSubscription subscription = watch(client, heard);

            await().atMost(WAIT).until(() -> client.syncStatus().failedConnects() >= 8);
            assertThat(subscription.isLive()).isFalse();
            assertThat(logs.list)
                    .as("one line for the whole streak, whatever the number of tries")
                    .filteredOn(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO))
                    .singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage())
                            .startsWith("Convex sync: cannot open the sync socket to ")
                            .contains("pickup falls back to polling")
                            .contains("counted, not logged"));

            proxy.up();
            heard.next(pending(0), "the first result once the socket opens");
            await().atMost(WAIT).until(subscription::isLive);
            assertThat(client.syncStatus().failedConnects()).isZero();
            assertThat(logs.list)
                    .filteredOn(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO))
                    .hasSize(2)
                    .last()
                    .satisfies(e -> assertThat(e.getFormattedMessage())
                            .contains("synced with")
                            .contains("again after")
                            .contains("lost or failed tries"));
        }
    }

    @Test
    void aSubscriptionHearsTheFirstResultThenEveryChange() throws Exception {
        ConvexClient client = client();
        Heard heard = new Heard();
        ConvexSubscription subscription = watch(client, heard);

        JsonNode first = heard.next(pending(0), "first result");
        assertThat(first.get("nextRunAt").isNull()).isTrue();
        await().atMost(WAIT).until(subscription::isLive);

        enqueue(client);
        assertThat(heard.next(pending(1), "pushed update").get("nextRunAt").asDouble())
                .isPositive();
        assertThat(client.syncStatus().state()).isEqualTo("READY");
    }

    @Test
    void subscriptionsShareOneSocketWhichClosesWithTheLast() throws Exception {
        ConvexClient client = client();
        Heard a = new Heard();
        Heard b = new Heard();
        ConvexSubscription first = watch(client, a);
        ConvexSubscription second = client.subscribe("queue:capabilities", null, b);
        a.next(pending(0), "watch result");
        assertThat(b.next(v -> v.has("features"), "capabilities").get("api").asText())
                .isEqualTo("fondation-queue");
        assertThat(openSockets()).isEqualTo(1);

        second.close();
        enqueue(client);
        a.next(pending(1), "update after removing the other query");
        first.close();
        await().atMost(WAIT).until(() -> openSockets() == 0);
        assertThat(client.syncStatus().state()).isEqualTo("IDLE");
        assertThat(first.isLive()).isFalse();
    }

    @Test
    void aFailingQueryReachesTheListenerAsAFunctionErrorWithoutTheSecret() throws Exception {
        ConvexClient client = client();
        Heard heard = new Heard();
        client.subscribe("queue:watch", Map.of("workerSecret", "fake-wrong-secret"), heard);

        ConvexException error = heard.error();
        assertThat(error).isInstanceOfSatisfying(ConvexFunctionException.class, e -> {
            assertThat(e.functionPath()).isEqualTo("queue:watch");
            assertThat(e.errorCode()).contains("UNAUTHORIZED");
        });
        assertThat(error.getMessage()).doesNotContain("fake-wrong-secret");
    }

    @Test
    void afterTheServerDropsTheSocketTheClientReconnectsAndSubscribesAgain() throws Exception {
        ConvexClient client = client();
        Heard heard = new Heard();
        ConvexSubscription subscription = watch(client, heard);
        heard.next(pending(0), "first result");

        assertThat(CONVEX.dropSyncSockets()).isEqualTo(1);
        await().atMost(WAIT).until(() -> client.syncStatus().connectionCount() >= 2 && subscription.isLive());
        enqueue(client);
        heard.next(pending(1), "update on the new socket");
    }

    @Test
    void whenTheServerStopsAnsweringTheInactivityTimeoutRenewsTheSocket() throws Exception {
        ConvexClient client = client(b -> b.syncInactivityTimeout(Duration.ofMillis(800)));
        CONVEX.syncPingInterval(Duration.ofMillis(200));
        Heard heard = new Heard();
        ConvexSubscription subscription = watch(client, heard);
        heard.next(pending(0), "first result");

        assertThat(CONVEX.silenceSyncSockets()).isEqualTo(1);
        await().atMost(WAIT).until(() -> client.syncStatus().connectionCount() >= 2 && subscription.isLive());
        assertThat(client.syncStatus().lastCloseReason()).isNull();
        assertThat(logs.list)
                .anySatisfy(event -> assertThat(event.getFormattedMessage()).contains("nothing heard from"));
        enqueue(client);
        heard.next(pending(1), "update after the renewal");
    }

    @Test
    void pingsKeepAnIdleSocketAlive() throws Exception {
        ConvexClient client = client(b -> b.syncInactivityTimeout(Duration.ofMillis(800)));
        CONVEX.syncPingInterval(Duration.ofMillis(100));
        Heard heard = new Heard();
        ConvexSubscription subscription = watch(client, heard);
        heard.next(pending(0), "first result");
        // Five inactivity timeouts without other traffic: only the pings keep it.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(subscription::isLive);
        assertThat(client.syncStatus().connectionCount()).isEqualTo(1);
    }

    @Test
    void aServerRestartIsSurvived() throws Exception {
        ConvexClient client = client();
        Heard heard = new Heard();
        ConvexSubscription subscription = watch(client, heard);
        enqueue(client);
        heard.next(pending(1), "update before the restart");

        CONVEX.restart();
        // The new server's database is empty: the re-subscribed query says so.
        heard.next(pending(0), "result from the restarted server");
        assertThat(subscription.isLive()).isTrue();
        enqueue(client);
        heard.next(pending(1), "update after the restart");
    }

    @Test
    void aMalformedFrameIsLoggedRedactedAndTheClientRecovers() throws Exception {
        ConvexClient client = client();
        Heard heard = new Heard();
        ConvexSubscription subscription = watch(client, heard);
        heard.next(pending(0), "first result");

        CONVEX.injectSyncFrame("{\"type\":\"Transition\",\"startVersion\":{},\"note\":\"" + SECRET + "\"}");
        await().atMost(WAIT).until(() -> client.syncStatus().connectionCount() >= 2 && subscription.isLive());
        assertThat(logs.list)
                .anySatisfy(event -> assertThat(event.getFormattedMessage())
                        .contains("malformed frame")
                        .contains("'querySet' is missing")
                        .contains("[redacted]")
                        .doesNotContain(SECRET));

        CONVEX.injectSyncFrame("not json at all");
        await().atMost(WAIT).until(() -> client.syncStatus().connectionCount() >= 3 && subscription.isLive());
        enqueue(client);
        heard.next(pending(1), "update after two malformed frames");
    }

    @Test
    void theAdminKeyAuthenticatesTheSocket() throws Exception {
        ConvexClient client = client(b -> b.deployKey(LocalConvexServer.ADMIN_KEY));
        Heard heard = new Heard();
        watch(client, heard);
        heard.next(pending(0), "first result as admin");
        assertThat(heard.errors).isEmpty();
    }

    @Test
    void aRefusedKeyIsReportedOnceAndTheClientDoesNotSpin() throws Exception {
        ConvexClient client = client(b -> b.deployKey("fake-wrong-deploy-key"));
        Heard heard = new Heard();
        ConvexSubscription subscription = watch(client, heard);

        ConvexException error = heard.error();
        assertThat(error)
                .isInstanceOfSatisfying(
                        ConvexRequestException.class,
                        e -> assertThat(e.isAuthenticationFailure()).isTrue());
        assertThat(error.getMessage()).contains("refused the deploy key").doesNotContain("fake-wrong-deploy-key");
        assertThat(client.syncStatus().state()).isEqualTo("AUTH_FAILED");
        await().during(Duration.ofMillis(800))
                .atMost(Duration.ofSeconds(3))
                .until(() -> client.syncStatus().connectionCount() == 1);
        assertThat(subscription.isLive()).isFalse();
        assertThat(logs.list)
                .noneSatisfy(event -> assertThat(event.getFormattedMessage()).contains("fake-wrong-deploy-key"));
    }

    @Test
    void aClosedClientRefusesNewSubscriptions() {
        ConvexClient client = client();
        client.close();
        assertThatThrownBy(() -> watch(client, new Heard()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
