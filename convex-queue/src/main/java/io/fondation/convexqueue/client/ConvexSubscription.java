package io.fondation.convexqueue.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A query subscribed over the client's sync socket ({@link ConvexClient#subscribe}). Closing it removes the
 * query from the socket's query set (and closes the socket when it was the last one); closing twice is harmless.
 */
public final class ConvexSubscription implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConvexSubscription.class);

    private final SyncConnection connection;
    private final int queryId;
    private final String path;
    private final JsonNode args;
    private final SubscriptionListener listener;
    private final Redactor redactor;
    /** The connection (generation) on which the server confirmed this query with a result; -1 for none. */
    private volatile long confirmedOn = -1;

    private volatile boolean closed;

    ConvexSubscription(
            SyncConnection connection,
            int queryId,
            String path,
            JsonNode args,
            SubscriptionListener listener,
            Redactor redactor) {
        this.connection = connection;
        this.queryId = queryId;
        this.path = path;
        this.args = args;
        this.listener = listener;
        this.redactor = redactor;
    }

    /** The subscribed function, e.g. {@code queue:watch}. */
    public String path() {
        return path;
    }

    /**
     * Whether results are being pushed right now: the socket is open and the deployment has answered this query on
     * it. While it is not (connecting, reconnecting after a loss, credentials refused), a change may go unseen
     * until the client is back, when the query's current result is delivered again.
     */
    public boolean isLive() {
        return !closed && confirmedOn >= 0 && connection.isReadyOn(confirmedOn);
    }

    /**
     * The deployment's clock minus this machine's, as estimated from the server time sent with the last result
     * ({@code serverTs}, else the snapshot's {@code ts}); zero before any. Add it to local time to compare with
     * times read from the deployment.
     */
    public Duration serverClockOffset() {
        return connection.serverClockOffset();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            connection.unsubscribe(this);
        }
    }

    @Override
    public String toString() {
        return "ConvexSubscription[" + path + (isLive() ? ", live" : "") + (closed ? ", closed" : "") + "]";
    }

    int queryId() {
        return queryId;
    }

    JsonNode args() {
        return args;
    }

    Redactor redactor() {
        return redactor;
    }

    boolean isClosed() {
        return closed;
    }

    void confirmedOn(long generation) {
        confirmedOn = generation;
    }

    /** On the sync thread. */
    void deliver(JsonNode encodedValue) {
        if (closed) {
            return;
        }
        JsonNode value;
        try {
            value = ConvexValues.decodeTree(encodedValue);
        } catch (RuntimeException e) {
            deliverError(
                    new ConvexFunctionException(path, "the pushed result cannot be decoded: " + e.getMessage(), null));
            return;
        }
        try {
            listener.onUpdate(value);
        } catch (RuntimeException e) {
            LOG.warn("the listener of the subscription to {} failed", path, e);
        }
    }

    /** On the sync thread. */
    void deliverError(ConvexException error) {
        if (closed) {
            return;
        }
        try {
            listener.onError(error);
        } catch (RuntimeException e) {
            LOG.warn("the error listener of the subscription to {} failed", path, e);
        }
    }
}
