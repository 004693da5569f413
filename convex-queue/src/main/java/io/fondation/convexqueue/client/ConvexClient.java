package io.fondation.convexqueue.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fondation.shared.Backoff;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for Convex's HTTP function API ({@code POST /api/query|mutation|action}), speaking
 * {@code convex_encoded_json} (see {@link ConvexValues}). Immutable and thread-safe: build one per
 * deployment with {@link #builder()} and share it; it keeps one {@link HttpClient}, so connections
 * are reused.
 *
 * <p>Errors: a failing function raises {@link ConvexFunctionException} (with {@code errorData}), a
 * refused request {@link ConvexRequestException}, an unreachable deployment or a 5xx
 * {@link ConvexTransportException}. Transient failures are retried (Resilience4j, exponential
 * backoff) only for idempotent calls: queries always, mutations and actions only when called with
 * {@link Idempotence#IDEMPOTENT}.
 *
 * <p>Secrets: the deploy key or bearer token travels only in the {@code Authorization} header. It
 * never appears in URLs, logs or exception messages; argument values whose field name contains
 * {@code secret}, {@code token}, {@code key} or {@code password} are removed from error messages
 * too (Convex's argument-validation errors quote the arguments). Arguments are never logged.
 *
 * <p>Subscriptions: {@link #subscribe} runs a query over Convex's WebSocket sync protocol and is pushed its new
 * result whenever the data it read changes. All subscriptions of a client share one socket, opened with the
 * first and closed with the last; it reconnects by itself (exponential backoff with jitter) and subscribes
 * everything again. See {@link ConvexSubscription} and {@code docs/convex-client.md}.
 */
public final class ConvexClient implements AutoCloseable {

    /** The default {@code Convex-Client} name. */
    public static final String DEFAULT_CLIENT_NAME = "fondation-java";
    /** Default time to open a connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default time for a whole request. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Default number of tries of an idempotent call (1 = no retry). */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Default wait before the first retry; it doubles for each further retry. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(250);
    /** Default cap of the wait between retries. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    /** Default time without any frame from the server (it pings every ~15 s) before the sync socket is renewed. */
    public static final Duration DEFAULT_SYNC_INACTIVITY_TIMEOUT = Duration.ofSeconds(60);
    /** Default first wait before reconnecting the sync socket; it doubles per failed try. */
    public static final Duration DEFAULT_SYNC_INITIAL_BACKOFF = Duration.ofMillis(250);
    /** Default cap of the wait before reconnecting the sync socket. */
    public static final Duration DEFAULT_SYNC_MAX_BACKOFF = Duration.ofSeconds(16);

    private static final Logger LOG = LoggerFactory.getLogger(ConvexClient.class);
    private static final int MAX_BODY_IN_MESSAGE = 300;

    /** The kind of function, which picks the endpoint. */
    public enum FunctionKind {
        QUERY("query"),
        MUTATION("mutation"),
        ACTION("action");

        private final String endpoint;

        FunctionKind(String endpoint) {
            this.endpoint = endpoint;
        }

        /** The last segment of the endpoint, e.g. {@code mutation} for {@code /api/mutation}. */
        public String endpoint() {
            return endpoint;
        }
    }

    private final URI deploymentUrl;
    private final String authorization;
    private final String clientHeader;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration syncInactivityTimeout;
    private final Duration syncInitialBackoff;
    private final Duration syncMaxBackoff;
    private final ExecutorService executor;
    private final HttpClient http;
    private final Retry retry;
    private SyncConnection sync;
    private boolean closed;

    /**
     * How the sync socket is doing ({@link #syncStatus()}).
     *
     * @param state {@code IDLE} (no subscription), {@code CONNECTING}, {@code READY}, {@code WAITING_TO_RECONNECT},
     *     {@code AUTH_FAILED} (credentials refused; no reconnect until a new subscription) or {@code CLOSED}
     * @param connectionCount sockets opened so far
     * @param lastCloseReason why the last socket ended, or {@code null}
     * @param failedConnects connection tries that failed since the socket last delivered a synced state (0 while
     *     it is synced); the client logs only the first of a streak, so this is how a deployment without WebSocket
     *     shows (a worker publishes it as a gauge)
     */
    public record SyncStatus(String state, int connectionCount, String lastCloseReason, int failedConnects) {}

    private ConvexClient(Builder builder) {
        this.deploymentUrl = builder.url;
        this.authorization = builder.authorization;
        this.clientHeader = builder.clientName + "-" + version();
        this.connectTimeout = builder.connectTimeout;
        this.requestTimeout = builder.requestTimeout;
        this.maxAttempts = builder.maxAttempts;
        this.initialBackoff = builder.initialBackoff;
        this.maxBackoff = builder.maxBackoff;
        this.syncInactivityTimeout = builder.syncInactivityTimeout;
        this.syncInitialBackoff = builder.syncInitialBackoff;
        this.syncMaxBackoff = builder.syncMaxBackoff;
        // Our own daemon threads so close() can release them and a forgotten client never blocks JVM exit.
        this.executor = Executors.newCachedThreadPool(daemonThreads());
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
        RetryConfig config = RetryConfig.custom()
                .maxAttempts(maxAttempts)
                .intervalFunction(retryWait(Backoff.doubling(initialBackoff, maxBackoff)))
                .retryOnException(e -> e instanceof ConvexTransportException t && t.isRetryable())
                .failAfterMaxAttempts(false)
                .build();
        this.retry = Retry.of("convex", config);
        this.retry
                .getEventPublisher()
                .onRetry(event -> LOG.warn(
                        "Convex call failed, retry {} of {} in {} ms: {}",
                        event.getNumberOfRetryAttempts(),
                        maxAttempts - 1,
                        event.getWaitInterval().toMillis(),
                        event.getLastThrowable() == null
                                ? ""
                                : event.getLastThrowable().getMessage()));
    }

    /** A builder; {@link Builder#url} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this client's settings, to derive a client that differs in a few. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.url = deploymentUrl;
        builder.authorization = authorization;
        builder.clientName =
                clientHeader.substring(0, clientHeader.length() - version().length() - 1);
        builder.connectTimeout = connectTimeout;
        builder.requestTimeout = requestTimeout;
        builder.maxAttempts = maxAttempts;
        builder.initialBackoff = initialBackoff;
        builder.maxBackoff = maxBackoff;
        builder.syncInactivityTimeout = syncInactivityTimeout;
        builder.syncInitialBackoff = syncInitialBackoff;
        builder.syncMaxBackoff = syncMaxBackoff;
        return builder;
    }

    /** The deployment URL, without a trailing slash. */
    public URI deploymentUrl() {
        return deploymentUrl;
    }

    /** The {@code Convex-Client} header this client sends, e.g. {@code fondation-java-0.1.0}. */
    public String clientHeader() {
        return clientHeader;
    }

    /**
     * Runs a query (always retried on transient failures).
     *
     * @param path the function, e.g. {@code queue:getJob}
     * @param args a {@code Map}, a record, or {@code null} for no arguments; see {@link ConvexValues#encode}
     * @return the decoded value ({@link ConvexValues#decodeTree}); a {@code NullNode} for null
     */
    public JsonNode query(String path, Object args) {
        // Queries are always idempotent.
        return call(FunctionKind.QUERY, path, args, Idempotence.IDEMPOTENT);
    }

    /** Runs a query and maps its value onto {@code type} (see {@link ConvexValues#decode(JsonNode, Class)}). */
    public <T> T query(String path, Object args, Class<T> type) {
        return ConvexValues.decode(query(path, args), type);
    }

    /** Runs a mutation once; never retried (it may have run even if the response was lost). */
    public JsonNode mutation(String path, Object args) {
        return call(FunctionKind.MUTATION, path, args, Idempotence.NOT_IDEMPOTENT);
    }

    /**
     * Runs a mutation; retried on transient failures only when {@code idempotence} says it is safe.
     */
    public JsonNode mutation(String path, Object args, Idempotence idempotence) {
        return call(FunctionKind.MUTATION, path, args, idempotence);
    }

    /** Runs a mutation and maps its value onto {@code type}. */
    public <T> T mutation(String path, Object args, Idempotence idempotence, Class<T> type) {
        return ConvexValues.decode(mutation(path, args, idempotence), type);
    }

    /** Runs an action once; never retried. */
    public JsonNode action(String path, Object args) {
        return call(FunctionKind.ACTION, path, args, Idempotence.NOT_IDEMPOTENT);
    }

    /** Runs an action; retried on transient failures only when {@code idempotence} says it is safe. */
    public JsonNode action(String path, Object args, Idempotence idempotence) {
        return call(FunctionKind.ACTION, path, args, idempotence);
    }

    /**
     * Runs a function of any kind.
     *
     * @param kind picks the endpoint; a function called through the wrong one fails with a function error
     * @param path {@code module:function}, e.g. {@code queue:claimOne} or {@code folder/module:function}
     * @param args a {@code Map}, a record, or {@code null} for none
     * @param idempotence whether the call may be repeated after a transient failure; {@code NOT_IDEMPOTENT} runs
     *     it once (a query is idempotent, so {@link #query} always passes {@code IDEMPOTENT})
     * @return the decoded value
     * @throws ConvexFunctionException the function failed
     * @throws ConvexRequestException the deployment refused the request
     * @throws ConvexTransportException the deployment could not be reached (after retries when idempotent)
     * @throws IllegalArgumentException the arguments cannot be encoded
     */
    public JsonNode call(FunctionKind kind, String path, Object args, Idempotence idempotence) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(idempotence, "idempotence");
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("a Convex function path is required, e.g. queue:claimOne");
        }
        JsonNode encodedArgs = args == null ? ConvexValues.encode(java.util.Map.of()) : ConvexValues.encode(args);
        if (!encodedArgs.isObject()) {
            throw new IllegalArgumentException("arguments of " + path + " must be an object (a Map or a record)");
        }
        Redactor redactor = Redactor.forCall(authorization, encodedArgs);
        byte[] body = requestBody(path, encodedArgs);
        boolean retried = idempotence == Idempotence.IDEMPOTENT;
        if (!retried || maxAttempts == 1) {
            return send(kind, path, body, redactor);
        }
        return retry.executeSupplier(() -> send(kind, path, body, redactor));
    }

    /**
     * Runs a function of any kind exactly once, without this client's retries, whatever its idempotence: for
     * callers that retry on their own schedule (a heartbeat, which alone knows its lease deadline).
     *
     * @see #call(FunctionKind, String, Object, Idempotence)
     */
    public JsonNode callOnce(FunctionKind kind, String path, Object args) {
        return call(kind, path, args, Idempotence.NOT_IDEMPOTENT);
    }

    /**
     * Subscribes to a query over the sync socket: {@code listener} hears its result now and each time it changes
     * (see {@link SubscriptionListener}). Opens the socket if this is the first subscription. Returns at once; the
     * first result follows when the deployment answers.
     *
     * @param path a query, e.g. {@code queue:watch}
     * @param args a {@code Map}, a record, or {@code null} for none (see {@link ConvexValues#encode})
     * @return the handle; {@link ConvexSubscription#close()} ends the subscription
     * @throws IllegalArgumentException the arguments cannot be encoded
     * @throws IllegalStateException the client is closed
     */
    public ConvexSubscription subscribe(String path, Object args, SubscriptionListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("a Convex function path is required, e.g. queue:watch");
        }
        JsonNode encodedArgs = args == null ? ConvexValues.encode(java.util.Map.of()) : ConvexValues.encode(args);
        if (!encodedArgs.isObject()) {
            throw new IllegalArgumentException("arguments of " + path + " must be an object (a Map or a record)");
        }
        return syncConnection().subscribe(path, encodedArgs, listener);
    }

    /** The sync socket's state, for health checks and logs. */
    public SyncStatus syncStatus() {
        SyncConnection connection;
        synchronized (this) {
            connection = sync;
            if (connection == null) {
                return new SyncStatus(closed ? "CLOSED" : "IDLE", 0, null, 0);
            }
        }
        SyncConnection.Status status = connection.status();
        return new SyncStatus(
                status.state().name(), status.connectionCount(), status.lastCloseReason(), status.failedConnects());
    }

    private synchronized SyncConnection syncConnection() {
        if (closed) {
            throw new IllegalStateException("the Convex client is closed");
        }
        if (sync == null) {
            sync = new SyncConnection(
                    syncUri(),
                    http,
                    connectTimeout,
                    authorization,
                    syncInactivityTimeout,
                    Backoff.doubling(syncInitialBackoff, syncMaxBackoff)
                            .withJitter(Backoff.Jitter.EQUAL)
                            .sequence());
        }
        return sync;
    }

    /** {@code ws(s)://<host>/<path>/api/<version>/sync}: no credentials in it. */
    private URI syncUri() {
        String scheme = "https".equals(deploymentUrl.getScheme()) ? "wss" : "ws";
        String base = deploymentUrl.getRawPath() == null ? "" : deploymentUrl.getRawPath();
        try {
            return new URI(
                    scheme,
                    null,
                    deploymentUrl.getHost(),
                    deploymentUrl.getPort(),
                    base + "/api/" + SyncProtocol.PROTOCOL_CLIENT_VERSION + "/sync",
                    null,
                    null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot derive the sync URL from " + deploymentUrl, e);
        }
    }

    /**
     * Closes the sync socket (ending every subscription) and shuts down the threads of this client. In-flight
     * calls may fail; do not use it afterwards.
     */
    @Override
    public void close() {
        SyncConnection connection;
        synchronized (this) {
            closed = true;
            connection = sync;
        }
        if (connection != null) {
            connection.close();
        }
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "ConvexClient[" + deploymentUrl + (authorization == null ? "" : ", authenticated") + "]";
    }

    // ---------------------------------------------------------------- HTTP

    private static byte[] requestBody(String path, JsonNode encodedArgs) {
        ObjectNode request = ConvexValues.mapper().createObjectNode();
        request.put("path", path);
        request.set("args", encodedArgs);
        request.put("format", "convex_encoded_json");
        try {
            return ConvexValues.mapper().writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise the arguments of " + path, e);
        }
    }

    private JsonNode send(FunctionKind kind, String path, byte[] body, Redactor redactor) {
        String base = deploymentUrl.getRawPath() == null ? "" : deploymentUrl.getRawPath();
        URI endpoint = deploymentUrl.resolve(base + "/api/" + kind.endpoint());
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Convex-Client", clientHeader)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if ("http".equals(deploymentUrl.getScheme())) {
            // Plain-HTTP HTTP/2 would send an h2c Upgrade header that small local servers mishandle.
            request.version(HttpClient.Version.HTTP_1_1);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        String what = kind.endpoint() + " " + path + " at " + deploymentUrl;
        long started = System.nanoTime();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConvexTransportException("interrupted while calling " + what, 0, false, e);
        } catch (HttpConnectTimeoutException e) {
            throw new ConvexTransportException(
                    "cannot connect for " + what + ": no connection within " + connectTimeout.toMillis() + " ms",
                    0,
                    true,
                    e);
        } catch (HttpTimeoutException e) {
            throw new ConvexTransportException(
                    "no response to " + what + " within " + requestTimeout.toMillis() + " ms", 0, true, e);
        } catch (ConnectException e) {
            throw new ConvexTransportException("cannot connect for " + what + ": connection refused", 0, true, e);
        } catch (IOException e) {
            throw new ConvexTransportException("cannot call " + what + ": " + describe(e), 0, true, e);
        } catch (RuntimeException e) {
            // e.g. RejectedExecutionException after close()
            throw new ConvexTransportException("cannot call " + what + ": " + describe(e), 0, false, e);
        }
        int status = response.statusCode();
        LOG.debug(
                "Convex {} {} -> HTTP {} in {} ms",
                kind.endpoint(),
                path,
                status,
                (System.nanoTime() - started) / 1_000_000);
        return interpret(path, what, status, response.body(), redactor);
    }

    private static JsonNode interpret(String path, String what, int status, byte[] body, Redactor redactor) {
        if (status == 200 || status == 560) {
            JsonNode json = parse(body);
            String outcome = json == null ? null : json.path("status").asText(null);
            if ("success".equals(outcome)) {
                return ConvexValues.decodeTree(json.get("value"));
            }
            if ("error".equals(outcome)) {
                JsonNode data = json.get("errorData");
                return throwFunctionError(path, json.path("errorMessage").asText(""), data, redactor);
            }
            throw new ConvexRequestException(
                    status,
                    "UnexpectedResponse",
                    "unexpected answer to " + what
                            + " (HTTP " + status + ", not a Convex function response): " + snippet(body, redactor)
                            + " — is this a Convex deployment URL?");
        }
        if (status == 429 || (status >= 500 && status <= 599)) {
            throw new ConvexTransportException(
                    "HTTP " + status + " from " + what + ": " + snippet(body, redactor), status, true, null);
        }
        JsonNode json = parse(body);
        String code =
                json != null && json.path("code").isTextual() ? json.get("code").asText() : "HTTP_" + status;
        String message = json != null && json.path("message").isTextual()
                ? redactor.apply(json.get("message").asText())
                : snippet(body, redactor);
        throw new ConvexRequestException(
                status, code, "HTTP " + status + " " + code + " from " + what + ": " + message);
    }

    private static JsonNode throwFunctionError(String path, String message, JsonNode data, Redactor redactor) {
        JsonNode decoded = data == null ? null : ConvexValues.decodeTree(data);
        throw new ConvexFunctionException(path, redactor.apply(message), redactor.apply(decoded));
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = ConvexValues.mapper().readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String snippet(byte[] body, Redactor redactor) {
        if (body == null || body.length == 0) {
            return "(empty body)";
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.length() > MAX_BODY_IN_MESSAGE) {
            text = text.substring(0, MAX_BODY_IN_MESSAGE) + "…";
        }
        return redactor.apply(text);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " (" + message + ")");
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "convex-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * This library's version without {@code -SNAPSHOT}: from {@code version.properties}, which the build
     * fills in, else from the jar manifest's {@code Implementation-Version}, else {@code "dev"} (classes
     * compiled outside Maven).
     */
    static String version() {
        return VERSION;
    }

    private static final String VERSION = readVersion();

    private static String readVersion() {
        String version = null;
        try (InputStream in = ConvexClient.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                version = properties.getProperty("version");
            }
        } catch (IOException e) {
            version = null;
        }
        if (version == null || version.isBlank() || version.startsWith("${")) {
            version = ConvexClient.class.getPackage().getImplementationVersion();
        }
        return version == null || version.isBlank() ? "dev" : version.strip().replace("-SNAPSHOT", "");
    }

    // ---------------------------------------------------------------- builder

    /**
     * Settings of a {@link ConvexClient}. Not thread-safe; the client it builds is immutable.
     */
    public static final class Builder {

        private URI url;
        private String authorization;
        private String clientName = DEFAULT_CLIENT_NAME;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Duration syncInactivityTimeout = DEFAULT_SYNC_INACTIVITY_TIMEOUT;
        private Duration syncInitialBackoff = DEFAULT_SYNC_INITIAL_BACKOFF;
        private Duration syncMaxBackoff = DEFAULT_SYNC_MAX_BACKOFF;

        private Builder() {}

        /**
         * The deployment URL, e.g. {@code https://happy-otter-123.convex.cloud} (required). Must be an
         * absolute http(s) URL without credentials, query or fragment; a trailing slash is ignored.
         *
         * @throws IllegalArgumentException describing what is wrong with the URL
         */
        public Builder url(String url) {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("the Convex deployment URL is empty");
            }
            try {
                return url(new URI(url.strip()));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(
                        "'" + safeUrlText(url) + "' is not a valid URL (" + e.getReason() + ")", e);
            }
        }

        /**
         * The deployment URL (required); see {@link #url(String)}.
         *
         * @throws IllegalArgumentException describing what is wrong with the URL
         */
        public Builder url(URI url) {
            Objects.requireNonNull(url, "url");
            if (url.getRawUserInfo() != null) {
                throw new IllegalArgumentException(
                        "the Convex deployment URL must not contain credentials;" + " pass the deploy key separately");
            }
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!url.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw new IllegalArgumentException("'" + url + "' is not an absolute http(s) URL with a host,"
                        + " e.g. https://happy-otter-123.convex.cloud");
            }
            if (url.getRawQuery() != null || url.getRawFragment() != null) {
                throw new IllegalArgumentException("the Convex deployment URL must not have a query or fragment");
            }
            String path = url.getRawPath() == null ? "" : url.getRawPath();
            while (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            try {
                this.url =
                        new URI(scheme, null, url.getHost(), url.getPort(), path.isEmpty() ? null : path, null, null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + url + "' is not a valid URL", e);
            }
            return this;
        }

        /**
         * Authenticates as admin with a deploy or admin key: {@code Authorization: Convex <key>}. Admin
         * calls may run internal functions. Replaces any bearer token.
         *
         * @param deployKey the key; {@code null} or blank for none
         */
        public Builder deployKey(String deployKey) {
            this.authorization = deployKey == null || deployKey.isBlank() ? null : "Convex " + deployKey.strip();
            return this;
        }

        /**
         * Authenticates as a user with an OIDC JWT: {@code Authorization: Bearer <token>}. Replaces any
         * deploy key.
         *
         * @param token the JWT; {@code null} or blank for none
         */
        public Builder bearerToken(String token) {
            this.authorization = token == null || token.isBlank() ? null : "Bearer " + token.strip();
            return this;
        }

        /**
         * The name sent in the {@code Convex-Client} header, followed by {@code -<version>}
         * (default {@code fondation-java}).
         */
        public Builder clientName(String name) {
            if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("client name must be letters, digits, '.', '_' or '-'");
            }
            this.clientName = name;
            return this;
        }

        /** How long to wait for a connection to open (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /** How long to wait for a whole request, response included (default 30 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "request timeout");
            return this;
        }

        /**
         * How many times an idempotent call is tried in all before its transient failure is thrown
         * (default 3; 1 disables retries).
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, was " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * The wait before the first retry and the cap of the wait; it doubles for each further
         * retry (defaults 250 ms and 5 s).
         */
        public Builder retryBackoff(Duration initial, Duration max) {
            positive(initial, "initial backoff");
            positive(max, "max backoff");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max backoff must not be below the initial backoff");
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /**
         * How long the sync socket may stay silent before it is dropped and opened again (default 60 s; the server
         * pings after ~15 s without other traffic, so only a dead connection stays silent that long).
         */
        public Builder syncInactivityTimeout(Duration timeout) {
            this.syncInactivityTimeout = positive(timeout, "sync inactivity timeout");
            return this;
        }

        /**
         * The wait before reconnecting the sync socket after a loss, and its cap; it doubles for each failed try,
         * with jitter (defaults 250 ms and 16 s).
         */
        public Builder syncReconnectBackoff(Duration initial, Duration max) {
            positive(initial, "initial sync backoff");
            positive(max, "max sync backoff");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max sync backoff must not be below the initial one");
            }
            this.syncInitialBackoff = initial;
            this.syncMaxBackoff = max;
            return this;
        }

        /**
         * Builds the client.
         *
         * @throws IllegalStateException when no URL was set
         */
        public ConvexClient build() {
            if (url == null) {
                throw new IllegalStateException("a Convex deployment URL is required");
            }
            return new ConvexClient(this);
        }

        private static Duration positive(Duration value, String what) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return value;
        }

        private static String safeUrlText(String url) {
            // Never echo something that might hold credentials.
            return url.contains("@") ? "(a URL with credentials)" : url.strip();
        }
    }

    /** The waits of the retried calls ({@code retryBackoff(initial, max)}), as Resilience4j's retry asks for them. */
    private static IntervalFunction retryWait(Backoff retries) {
        return attempt -> retries.delay(attempt).toMillis();
    }
}
