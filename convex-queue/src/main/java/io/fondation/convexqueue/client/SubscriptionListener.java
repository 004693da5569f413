package io.fondation.convexqueue.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Receives the results of a {@link ConvexClient#subscribe subscribed} query. Called on the client's sync thread,
 * one call at a time and in order, so it must return quickly (hand longer work to another thread).
 */
@FunctionalInterface
public interface SubscriptionListener {

    /**
     * The query's current result: the first one, then each new one the deployment pushes, and again after every
     * reconnect (possibly unchanged).
     *
     * @param value decoded as by {@link ConvexValues#decodeTree}; a {@code NullNode} for null
     */
    void onUpdate(JsonNode value);

    /**
     * The query failed ({@link ConvexFunctionException}, as on HTTP; a later write may make it succeed and
     * {@link #onUpdate} follow), or the deployment refused the client's credentials
     * ({@link ConvexRequestException} with {@code isAuthenticationFailure()}; the client stops reconnecting until a
     * new subscription is made). Connection losses are not errors: the client reconnects by itself and
     * {@link ConvexSubscription#isLive()} says whether results are flowing.
     */
    default void onError(ConvexException error) {}
}
