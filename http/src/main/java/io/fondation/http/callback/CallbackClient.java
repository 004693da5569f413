package io.fondation.http.callback;

import io.fondation.clibridge.failure.SecretRedactor;
import io.fondation.shared.Backoff;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts JSON callbacks to a receiver, with retries: a network error, a timeout, HTTP 408, 429 or 5xx is tried
 * again after the {@link Backoff}'s wait ({@code CALLBACK_RETRY_DELAY} doubling up to 10 s); any other answer is final
 * (2xx delivered, other 4xx refused). Never throws for a failed delivery: the caller gets a {@link Delivery}.
 * The token goes in the {@value #TOKEN_HEADER} header only.
 */
public final class CallbackClient {

    /** The header that carries the job's token, as in the existing system. */
    public static final String TOKEN_HEADER = "X-Job-Token";

    private static final Logger LOG = LoggerFactory.getLogger(CallbackClient.class);

    /** How one post is sent: the JDK's HTTP client, or {@link PinnedHttpSender} to a checked address. */
    @FunctionalInterface
    public interface Sender {
        /**
         * Posts {@code body} with {@code headers} and returns the answer.
         *
         * @throws RefusedTarget when the target is refused before any connection (never retried)
         */
        Answer post(URI url, Map<String, String> headers, byte[] body) throws IOException, InterruptedException;
    }

    /** An answer: its status and the start of its body. */
    public record Answer(int status, String body) {}

    /** A callback target refused before anything was sent (its address, a header); not worth another try. */
    public static final class RefusedTarget extends IOException {
        private static final long serialVersionUID = 1L;

        public RefusedTarget(String message) {
            super(message);
        }
    }

    /** How the client waits between tries (tests may make it instant). */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Sender sender;
    private final Duration requestTimeout;
    private final Backoff retries;
    private final Sleeper sleeper;

    /**
     * A client that posts wherever the URL leads, for callback URLs of the operator's own configuration
     * ({@code run-job}'s {@code CALLBACK_URL}); redirects are not followed.
     */
    public CallbackClient(Duration requestTimeout, Backoff retries) {
        this(jdkSender(requestTimeout), requestTimeout, retries, CallbackClient::sleep);
    }

    /**
     * A client for callback URLs a caller gave ({@code POST /execute}): every post resolves the host once, checks
     * the address against {@code policy} and connects to that address; redirects are not followed.
     */
    public static CallbackClient guarded(CallbackAddressPolicy policy, Duration requestTimeout, Backoff retries) {
        return new CallbackClient(
                new PinnedHttpSender(policy, requestTimeout), requestTimeout, retries, CallbackClient::sleep);
    }

    CallbackClient(Sender sender, Duration requestTimeout, Backoff retries, Sleeper sleeper) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.retries = Objects.requireNonNull(retries, "retries");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * Posts {@code body} until it is delivered, refused, or {@code maxTries} tries were made.
     *
     * @param what a name for the logs ({@code progress}, {@code complete}, {@code error})
     * @return how it went; an interrupted wait ends the tries (and keeps the thread's interrupt flag)
     */
    public Delivery post(CallbackTarget target, String what, byte[] body, int maxTries) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "fondation-worker");
        if (target.token() != null) {
            headers.put(TOKEN_HEADER, target.token().reveal());
        }
        Backoff.Sequence waits = retries.sequence();
        int status = -1;
        String problem = "";
        for (int tryNumber = 1; tryNumber <= Math.max(1, maxTries); tryNumber++) {
            if (tryNumber > 1) {
                try {
                    sleeper.sleep(waits.next());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Delivery.failed(status, tryNumber - 1, problem + "; interrupted before the next try");
                }
            }
            try {
                Answer response = sender.post(target.url(), headers, body);
                status = response.status();
                if (status >= 200 && status < 300) {
                    LOG.debug(
                            "{} callback delivered to {} (HTTP {}, try {})",
                            what,
                            target.describe(),
                            status,
                            tryNumber);
                    return Delivery.ok(status, tryNumber);
                }
                problem = mask("the receiver answered HTTP " + status + snippet(response.body()), target);
                if (!retryable(status)) {
                    LOG.warn("{} callback refused by {}: {}", what, target.describe(), problem);
                    return Delivery.failed(status, tryNumber, problem);
                }
            } catch (RefusedTarget e) {
                problem = mask("not sent: " + e.getMessage(), target);
                LOG.warn("{} callback to {} refused: {}", what, target.describe(), problem);
                return Delivery.failed(-1, tryNumber, problem);
            } catch (IOException e) {
                status = -1;
                problem = "cannot reach the receiver: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Delivery.failed(-1, tryNumber, "interrupted while posting");
            }
            problem = mask(problem, target);
            LOG.info("{} callback to {} failed (try {}/{}): {}", what, target.describe(), tryNumber, maxTries, problem);
        }
        return Delivery.failed(status, Math.max(1, maxTries), problem);
    }

    private static HttpClient.Builder builder(Duration timeout) {
        return HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
    }

    /** The JDK's HTTP client as a sender. */
    private static Sender jdkSender(Duration requestTimeout) {
        HttpClient http = builder(requestTimeout).build();
        return (url, headers, body) -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(url)
                    .timeout(requestTimeout)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(request::header);
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        };
    }

    private static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    /** The problem text without the token (a receiver may echo it) and anything shaped like a credential. */
    private static String mask(String text, CallbackTarget target) {
        String out = text;
        if (target.token() != null) {
            out = out.replace(target.token().reveal(), SecretRedactor.MASK);
        }
        return SecretRedactor.redactTokens(out);
    }

    private static boolean retryable(int status) {
        return status == 408 || status == 429 || status >= 500;
    }

    private static String snippet(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String line = body.strip().replaceAll("\\s+", " ");
        return ": " + (line.length() > 200 ? line.substring(0, 200) + " …" : line);
    }
}
