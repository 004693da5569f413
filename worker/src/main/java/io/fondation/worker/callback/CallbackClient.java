package io.fondation.worker.callback;

import io.fondation.clibridge.failure.SecretRedactor;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts JSON callbacks to a receiver, with retries: a network error, a timeout, HTTP 408, 429 or 5xx is tried
 * again after a delay that doubles from {@code firstDelay} up to {@code maxDelay}; any other answer is final
 * (2xx delivered, other 4xx refused). Never throws for a failed delivery: the caller gets a {@link Delivery}.
 * The token goes in the {@value #TOKEN_HEADER} header only.
 */
public final class CallbackClient {

    /** The header that carries the job's token, as in the existing system. */
    public static final String TOKEN_HEADER = "X-Job-Token";

    private static final Logger LOG = LoggerFactory.getLogger(CallbackClient.class);

    /** How the client waits between tries (tests may make it instant). */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final HttpClient http;
    private final Duration requestTimeout;
    private final Duration firstDelay;
    private final Duration maxDelay;
    private final Sleeper sleeper;

    public CallbackClient(Duration requestTimeout, Duration firstDelay, Duration maxDelay) {
        this(
                HttpClient.newBuilder()
                        .connectTimeout(requestTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build(),
                requestTimeout,
                firstDelay,
                maxDelay,
                duration -> Thread.sleep(duration.toMillis()));
    }

    CallbackClient(HttpClient http, Duration requestTimeout, Duration firstDelay, Duration maxDelay, Sleeper sleeper) {
        this.http = Objects.requireNonNull(http, "http");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.firstDelay = Objects.requireNonNull(firstDelay, "firstDelay");
        this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * Posts {@code body} until it is delivered, refused, or {@code maxTries} tries were made.
     *
     * @param what a name for the logs ({@code progress}, {@code complete}, {@code error})
     * @return how it went; an interrupted wait ends the tries (and keeps the thread's interrupt flag)
     */
    public Delivery post(CallbackTarget target, String what, byte[] body, int maxTries) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(target.url())
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "fondation-worker")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (target.token() != null) {
            builder.header(TOKEN_HEADER, target.token().reveal());
        }
        HttpRequest request = builder.build();
        Duration delay = firstDelay;
        int status = -1;
        String problem = "";
        for (int tryNumber = 1; tryNumber <= Math.max(1, maxTries); tryNumber++) {
            if (tryNumber > 1) {
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Delivery.failed(status, tryNumber - 1, problem + "; interrupted before the next try");
                }
                delay = delay.multipliedBy(2).compareTo(maxDelay) > 0 ? maxDelay : delay.multipliedBy(2);
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
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
