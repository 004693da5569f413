package io.fondation.convexqueue.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fondation.convexqueue.client.SyncProtocol.AuthError;
import io.fondation.convexqueue.client.SyncProtocol.FatalError;
import io.fondation.convexqueue.client.SyncProtocol.MalformedFrameException;
import io.fondation.convexqueue.client.SyncProtocol.Ping;
import io.fondation.convexqueue.client.SyncProtocol.QueryChange;
import io.fondation.convexqueue.client.SyncProtocol.QueryFailed;
import io.fondation.convexqueue.client.SyncProtocol.QueryUpdated;
import io.fondation.convexqueue.client.SyncProtocol.Response;
import io.fondation.convexqueue.client.SyncProtocol.ServerMessage;
import io.fondation.convexqueue.client.SyncProtocol.StateVersion;
import io.fondation.convexqueue.client.SyncProtocol.Transition;
import io.fondation.convexqueue.client.SyncProtocol.TransitionChunk;
import io.fondation.shared.Backoff;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one sync socket of a {@link ConvexClient}, shared by all its subscriptions: opened when the first query is
 * subscribed, closed when the last one is. It follows the official client ({@code web_socket_manager.ts},
 * {@code client.ts}): {@code Connect} with a stable session id and a counting connection count, then
 * {@code Authenticate} (when the client has a key or token), then the whole {@link QuerySet} from version 0.
 * Each {@code Transition} must start where the previous one ended; anything else — a mismatch, a malformed
 * frame, a {@code FatalError}, a close, nothing heard for the inactivity timeout (the server pings every ~15 s)
 * — drops the socket and reconnects after a {@link Backoff} (with equal jitter), re-subscribing everything. An {@code AuthError}
 * stops reconnecting (the listeners hear it) until a new subscription is made.
 *
 * <p>Logging: the first failure of a streak is one INFO line (the socket was refused, or a working one was lost),
 * the quiet retries after it are DEBUG and counted ({@link Status#failedConnects()}, which a worker publishes as a
 * gauge), and the first synced state after a streak is one INFO line saying how many tries it took. A deployment
 * without WebSocket therefore costs one line, not one per backoff.
 *
 * <p>All state lives on one daemon thread ({@code convex-sync-N}): socket callbacks, timers and API calls post
 * tasks to it, and listeners are called on it. Credentials are sent only inside {@code Authenticate}, never in
 * the URL or a header, and never logged; logged frame excerpts are redacted.
 */
final class SyncConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyncConnection.class);
    /** Largest frame (or assembled transition) accepted; Convex values are at most 16 MiB. */
    static final int MAX_FRAME_CHARS = 32 * 1024 * 1024;

    private static final int EXCERPT_CHARS = 200;

    enum State {
        IDLE,
        CONNECTING,
        READY,
        WAITING_TO_RECONNECT,
        AUTH_FAILED,
        CLOSED
    }

    /**
     * What {@link ConvexClient#syncStatus()} reports.
     *
     * @param failedConnects connection tries that failed since the socket last delivered a synced state (0 while
     *     it is synced)
     */
    record Status(State state, int connectionCount, String lastCloseReason, int failedConnects) {}

    private final URI uri;
    private final HttpClient http;
    private final Duration connectTimeout;
    private final String authorization;
    private final Duration inactivityTimeout;
    private final Backoff.Sequence backoff;
    private final ScheduledExecutorService loop;
    private final String sessionId = UUID.randomUUID().toString();
    private final QuerySet querySet = new QuerySet();

    // ---- confined to the loop thread
    private WebSocket socket;
    private long generation;
    private StateVersion version = StateVersion.INITIAL;
    private long maxObservedTs;
    private long lastHeardNanos;
    private ScheduledFuture<?> inactivityCheck;
    private ScheduledFuture<?> reconnect;
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
    private ChunkBuffer chunks;
    /** Whether the current socket delivered a transition (a working connection, not one being opened). */
    private boolean synced;

    // ---- read from any thread
    private volatile State state = State.IDLE;
    /** The generation of the open, ready socket; -1 when there is none. */
    private volatile long readyGeneration = -1;

    private volatile int connectionCount;
    private volatile int failedConnects;
    private volatile String lastCloseReason;
    private volatile long serverClockOffsetMillis;
    private volatile Thread loopThread;

    SyncConnection(
            URI uri,
            HttpClient http,
            Duration connectTimeout,
            String authorization,
            Duration inactivityTimeout,
            Backoff.Sequence backoff) {
        this.uri = uri;
        this.http = http;
        this.connectTimeout = connectTimeout;
        this.authorization = authorization;
        this.inactivityTimeout = inactivityTimeout;
        this.backoff = backoff;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "convex-sync");
            thread.setDaemon(true);
            loopThread = thread;
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.loop = executor;
    }

    // ---------------------------------------------------------------- API (any thread)

    ConvexSubscription subscribe(String path, JsonNode encodedArgs, SubscriptionListener listener) {
        Redactor redactor = Redactor.forCall(authorization, encodedArgs);
        ConvexSubscription[] created = new ConvexSubscription[1];
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable task = () -> {
            if (state == State.CLOSED) {
                done.completeExceptionally(new IllegalStateException("the Convex client is closed"));
                return;
            }
            ConvexSubscription subscription =
                    new ConvexSubscription(this, querySet.newQueryId(), path, encodedArgs, listener, redactor);
            created[0] = subscription;
            querySet.put(subscription);
            switch (state) {
                case READY -> send(SyncProtocol.modifyQuerySet(querySet.add(subscription)));
                case IDLE -> connect();
                case AUTH_FAILED -> {
                    // A new subscription is a new try with the same credentials; one, not a loop.
                    backoff.reset();
                    connect();
                }
                default -> {
                    // CONNECTING or WAITING_TO_RECONNECT: added with all the others once the socket opens.
                }
            }
            done.complete(null);
        };
        if (Thread.currentThread() == loopThread) {
            // From a listener: already on the loop thread, so run it here (waiting would never end).
            task.run();
        } else if (!post(task)) {
            throw new IllegalStateException("the Convex client is closed");
        }
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the Convex sync thread did not answer within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while subscribing to " + path, e);
        }
        return created[0];
    }

    void unsubscribe(ConvexSubscription subscription) {
        post(() -> {
            if (!querySet.remove(subscription.queryId())) {
                return;
            }
            if (querySet.isEmpty()) {
                // Nothing left to push: no idle socket.
                disconnect(State.IDLE, "no subscriptions");
                return;
            }
            if (state == State.READY) {
                send(SyncProtocol.modifyQuerySet(querySet.removal(subscription.queryId())));
            }
        });
    }

    /** Whether the socket of {@code confirmedGeneration} is the open, ready one. */
    boolean isReadyOn(long confirmedGeneration) {
        return readyGeneration == confirmedGeneration && state == State.READY;
    }

    Duration serverClockOffset() {
        return Duration.ofMillis(serverClockOffsetMillis);
    }

    Status status() {
        return new Status(state, connectionCount, lastCloseReason, failedConnects);
    }

    @Override
    public void close() {
        try {
            loop.execute(() -> disconnect(State.CLOSED, "client closed"));
        } catch (RejectedExecutionException e) {
            return; // closed already
        }
        loop.shutdown();
        try {
            loop.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code task} on the loop thread; false when the connection is closed. */
    private boolean post(Runnable task) {
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("Convex sync: unexpected error; reconnecting", e);
                    if (state == State.READY || state == State.CONNECTING) {
                        reconnectLater("InternalClientError");
                    }
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- connection lifecycle (loop thread)

    private void connect() {
        long attempt = ++generation;
        state = State.CONNECTING;
        readyGeneration = -1;
        version = StateVersion.INITIAL;
        chunks = null;
        lastHeardNanos = System.nanoTime();
        scheduleInactivityCheck();
        LOG.debug("Convex sync: connecting to {} (connection {})", uri, connectionCount);
        http.newWebSocketBuilder()
                .connectTimeout(connectTimeout)
                .buildAsync(uri, new SocketListener(attempt))
                .whenComplete((ws, error) -> {
                    try {
                        loop.execute(() -> opened(attempt, ws, error));
                    } catch (RejectedExecutionException closed) {
                        if (ws != null) {
                            ws.abort();
                        }
                    }
                });
    }

    private void opened(long attempt, WebSocket ws, Throwable error) {
        if (attempt != generation || state != State.CONNECTING) {
            if (ws != null) {
                ws.abort();
            }
            return;
        }
        if (error != null) {
            reconnectLater("cannot connect: " + describe(error));
            return;
        }
        socket = ws;
        sending = CompletableFuture.completedFuture(null);
        state = State.READY;
        readyGeneration = attempt;
        lastHeardNanos = System.nanoTime();
        send(SyncProtocol.connect(sessionId, connectionCount, lastCloseReason, maxObservedTs));
        if (authorization != null) {
            send(SyncProtocol.authenticate(authorization, 0));
        }
        send(SyncProtocol.modifyQuerySet(querySet.restart()));
        if (connectionCount > 0) {
            LOG.debug("Convex sync: socket to {} open again after: {}", uri, lastCloseReason);
        }
        connectionCount++;
        lastCloseReason = null;
    }

    /** Drops the socket and connects again after the backoff. */
    private void reconnectLater(String reason) {
        if (state == State.CLOSED || state == State.AUTH_FAILED) {
            return;
        }
        boolean wasSynced = failedConnects == 0 && synced;
        synced = false;
        dropSocket(reason);
        if (querySet.isEmpty()) {
            state = State.IDLE;
            return;
        }
        state = State.WAITING_TO_RECONNECT;
        Duration delay = backoff.next();
        int failed = failedConnects++;
        if (failed == 0) {
            LOG.info(
                    "Convex sync: {} ({}); pickup falls back to polling, and the socket is retried quietly with"
                            + " backoff (first in {} ms, then up to {} s apart; counted, not logged)",
                    wasSynced ? "connection to " + uri + " lost" : "cannot open the sync socket to " + uri,
                    reason,
                    delay.toMillis(),
                    backoff.backoff().max().toSeconds());
        } else {
            LOG.debug("Convex sync: try {} failed ({}); next in {} ms", failed + 1, reason, delay.toMillis());
        }
        reconnect = loop.schedule(this::connectIfWaiting, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void connectIfWaiting() {
        if (state == State.WAITING_TO_RECONNECT) {
            connect();
        }
    }

    private void disconnect(State next, String reason) {
        if (socket != null && state == State.READY) {
            WebSocket closing = socket;
            closing.sendClose(WebSocket.NORMAL_CLOSURE, "")
                    .orTimeout(1, TimeUnit.SECONDS)
                    .whenComplete((ws, error) -> closing.abort());
            socket = null;
        }
        dropSocket(reason);
        state = next;
    }

    private void dropSocket(String reason) {
        generation++;
        readyGeneration = -1;
        lastCloseReason = reason;
        chunks = null;
        if (socket != null) {
            socket.abort();
            socket = null;
        }
        cancel(inactivityCheck);
        cancel(reconnect);
        inactivityCheck = null;
        reconnect = null;
    }

    private void scheduleInactivityCheck() {
        cancel(inactivityCheck);
        long period = Math.max(10, inactivityTimeout.toMillis() / 4);
        inactivityCheck = loop.scheduleWithFixedDelay(this::checkInactivity, period, period, TimeUnit.MILLISECONDS);
    }

    private void checkInactivity() {
        if (state != State.READY && state != State.CONNECTING) {
            return;
        }
        long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeardNanos);
        if (silentMillis >= inactivityTimeout.toMillis()) {
            LOG.warn(
                    "Convex sync: nothing heard from {} for {} ms (the server pings every ~15 s); reconnecting",
                    uri,
                    silentMillis);
            reconnectLater("InactivityTimeout");
        }
    }

    private void send(String text) {
        WebSocket ws = socket;
        long attempt = generation;
        if (ws == null) {
            return;
        }
        sending = sending.thenCompose(ignored -> ws.sendText(text, true)).whenComplete((ignored, error) -> {
            if (error != null) {
                post(() -> {
                    if (attempt == generation) {
                        reconnectLater("FailedToSendMessage: " + describe(error));
                    }
                });
            }
        });
    }

    // ---------------------------------------------------------------- frames (loop thread)

    private void onFrame(long attempt, String frame) {
        if (attempt != generation || state != State.READY) {
            return;
        }
        lastHeardNanos = System.nanoTime();
        ServerMessage message;
        try {
            message = SyncProtocol.parse(frame);
        } catch (MalformedFrameException e) {
            malformed(e.getMessage(), frame);
            return;
        }
        if (message instanceof TransitionChunk chunk) {
            String assembled;
            try {
                assembled = assemble(chunk);
            } catch (MalformedFrameException e) {
                malformed(e.getMessage(), frame);
                return;
            }
            if (assembled == null) {
                return;
            }
            try {
                message = SyncProtocol.parse(assembled);
            } catch (MalformedFrameException e) {
                malformed("assembled transition: " + e.getMessage(), assembled);
                return;
            }
            if (!(message instanceof Transition)) {
                malformed("the assembled chunks are not a Transition", assembled);
                return;
            }
        } else if (chunks != null) {
            chunks = null;
            LOG.warn("Convex sync: a message arrived in the middle of a chunked transition; the chunks are dropped");
        }
        if (message instanceof Transition transition) {
            onTransition(attempt, transition);
        } else if (message instanceof AuthError error) {
            onAuthError(error);
        } else if (message instanceof FatalError fatal) {
            LOG.warn(
                    "Convex sync: {} reported a fatal error: {}",
                    uri,
                    connectionRedactor().apply(fatal.error()));
            reconnectLater("FatalError");
        } else if (message instanceof Ping || message instanceof Response) {
            // A ping only proves the server alive; responses answer requests this client does not send.
        }
    }

    private void onTransition(long attempt, Transition transition) {
        if (!transition.start().equals(version)) {
            LOG.warn(
                    "Convex sync: a transition from {} arrived while the client is at {}; reconnecting",
                    transition.start(),
                    version);
            reconnectLater("TransitionVersionMismatch");
            return;
        }
        version = transition.end();
        if (Long.compareUnsigned(transition.end().ts(), maxObservedTs) > 0) {
            maxObservedTs = transition.end().ts();
        }
        long serverMillis = transition.serverTsMillis() != null
                ? transition.serverTsMillis()
                : Long.divideUnsigned(transition.end().ts(), 1_000_000L);
        if (serverMillis > 0) {
            serverClockOffsetMillis = serverMillis - System.currentTimeMillis();
        }
        // Synced again: the next loss starts with a short wait.
        backoff.reset();
        synced = true;
        if (failedConnects > 0) {
            LOG.info(
                    "Convex sync: synced with {} again after {} lost or failed tries; results are pushed again",
                    uri,
                    failedConnects);
            failedConnects = 0;
        }
        for (QueryChange change : transition.changes()) {
            ConvexSubscription subscription = querySet.get(change.queryId());
            if (subscription == null) {
                continue; // removed since
            }
            if (change instanceof QueryUpdated updated) {
                subscription.confirmedOn(attempt);
                subscription.deliver(updated.value());
            } else if (change instanceof QueryFailed failed) {
                subscription.confirmedOn(attempt);
                Redactor redactor = subscription.redactor();
                JsonNode data = failed.errorData() == null ? null : ConvexValues.decodeTree(failed.errorData());
                subscription.deliverError(new ConvexFunctionException(
                        subscription.path(), redactor.apply(failed.errorMessage()), redactor.apply(data)));
            }
        }
    }

    private void onAuthError(AuthError error) {
        String what = authorization != null && authorization.startsWith("Convex ") ? "deploy key" : "token";
        String message = "the Convex deployment at " + uri + " refused the " + what + ": "
                + connectionRedactor().apply(error.error());
        LOG.error("Convex sync: {}; not reconnecting until a new subscription", message);
        List<ConvexSubscription> subscriptions = new ArrayList<>(querySet.all());
        disconnect(State.AUTH_FAILED, "AuthError");
        ConvexRequestException refused = new ConvexRequestException(401, "AuthError", message);
        for (ConvexSubscription subscription : subscriptions) {
            subscription.deliverError(refused);
        }
    }

    private void malformed(String problem, String frame) {
        String excerpt = frame.length() > EXCERPT_CHARS ? frame.substring(0, EXCERPT_CHARS) + "…" : frame;
        LOG.warn(
                "Convex sync: malformed frame from {} ({}; {} characters): {}; reconnecting",
                uri,
                problem,
                frame.length(),
                connectionRedactor().apply(excerpt));
        reconnectLater("MalformedFrame: " + problem);
    }

    private String assemble(TransitionChunk chunk) throws MalformedFrameException {
        if (chunk.totalParts() <= 0 || chunk.partNumber() < 0 || chunk.partNumber() >= chunk.totalParts()) {
            throw new MalformedFrameException("a TransitionChunk numbered outside its parts");
        }
        if (chunks == null) {
            chunks = new ChunkBuffer(chunk.transitionId(), chunk.totalParts());
        }
        if (!chunks.transitionId.equals(chunk.transitionId())
                || chunks.totalParts != chunk.totalParts()
                || chunks.parts.size() != chunk.partNumber()) {
            chunks = null;
            throw new MalformedFrameException("a TransitionChunk out of order");
        }
        chunks.parts.add(chunk.chunk());
        chunks.length += chunk.chunk().length();
        if (chunks.length > MAX_FRAME_CHARS) {
            chunks = null;
            throw new MalformedFrameException("a chunked transition over " + MAX_FRAME_CHARS + " characters");
        }
        if (chunks.parts.size() < chunks.totalParts) {
            return null;
        }
        String whole = String.join("", chunks.parts);
        chunks = null;
        return whole;
    }

    /** Masks the credentials and every subscription's secret arguments. */
    private Redactor connectionRedactor() {
        ArrayNode args = ConvexValues.mapper().createArrayNode();
        for (ConvexSubscription subscription : querySet.all()) {
            args.add(subscription.args());
        }
        return Redactor.forCall(authorization, args);
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " (" + message + ")");
    }

    private static final class ChunkBuffer {
        final String transitionId;
        final int totalParts;
        final List<String> parts = new ArrayList<>();
        long length;

        ChunkBuffer(String transitionId, int totalParts) {
            this.transitionId = transitionId;
            this.totalParts = totalParts;
        }
    }

    /** Socket callbacks (on the HTTP client's threads): gathers frames and posts them to the loop. */
    private final class SocketListener implements WebSocket.Listener {
        private final long attempt;
        private final StringBuilder partial = new StringBuilder();
        private boolean oversized;

        SocketListener(long attempt) {
            this.attempt = attempt;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (!oversized) {
                if (partial.length() + data.length() > MAX_FRAME_CHARS) {
                    oversized = true;
                    partial.setLength(0);
                } else {
                    partial.append(data);
                }
            }
            if (last) {
                if (oversized) {
                    oversized = false;
                    post(() -> {
                        if (attempt == generation) {
                            LOG.warn(
                                    "Convex sync: a frame over {} characters from {}; reconnecting",
                                    MAX_FRAME_CHARS,
                                    uri);
                            reconnectLater("MalformedFrame: too large");
                        }
                    });
                } else {
                    String frame = partial.toString();
                    partial.setLength(0);
                    post(() -> onFrame(attempt, frame));
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            if (last) {
                post(() -> {
                    if (attempt == generation && state == State.READY) {
                        malformed("a binary frame", "(binary)");
                    }
                });
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            // The JDK answers with a pong; a ping also proves the server alive.
            post(() -> {
                if (attempt == generation) {
                    lastHeardNanos = System.nanoTime();
                }
            });
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            String why = "closed with code " + statusCode + (reason == null || reason.isBlank() ? "" : ": " + reason);
            post(() -> {
                if (attempt == generation) {
                    reconnectLater(why);
                }
            });
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            String why = "socket error: " + describe(error);
            post(() -> {
                if (attempt == generation) {
                    reconnectLater(why);
                }
            });
        }
    }
}
