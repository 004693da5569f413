package io.fondation.convexqueue.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client's side of the versioned query set of the sync protocol: the subscribed queries by id (ids stay the
 * same across reconnects) and the version the server has. Each change sent moves the version from {@code n} to
 * {@code n + 1}; a new connection starts again from 0 with every query added at once. Confined to the sync
 * connection's thread.
 */
final class QuerySet {

    /** One change of the query set, as sent in a {@code ModifyQuerySet}. */
    sealed interface Change {
        int queryId();
    }

    record Add(int queryId, String udfPath, com.fasterxml.jackson.databind.JsonNode args) implements Change {}

    record Remove(int queryId) implements Change {}

    /** A {@code ModifyQuerySet} message: from {@code baseVersion} to {@code baseVersion + 1}. */
    record Modification(int baseVersion, int newVersion, List<Change> changes) {}

    private final Map<Integer, ConvexSubscription> queries = new LinkedHashMap<>();
    private int nextId;
    private int version;

    int newQueryId() {
        return nextId++;
    }

    void put(ConvexSubscription subscription) {
        queries.put(subscription.queryId(), subscription);
    }

    /** Forgets the query; false when it was not in the set. */
    boolean remove(int queryId) {
        return queries.remove(queryId) != null;
    }

    ConvexSubscription get(int queryId) {
        return queries.get(queryId);
    }

    boolean isEmpty() {
        return queries.isEmpty();
    }

    Collection<ConvexSubscription> all() {
        return List.copyOf(queries.values());
    }

    /** The version the server has (once the changes sent so far arrived). */
    int version() {
        return version;
    }

    /** The change that adds {@code subscription} on the current connection. */
    Modification add(ConvexSubscription subscription) {
        return next(List.of(new Add(subscription.queryId(), subscription.path(), subscription.args())));
    }

    /** The change that removes {@code queryId} on the current connection. */
    Modification removal(int queryId) {
        return next(List.of(new Remove(queryId)));
    }

    /** For a new connection: version 0 → 1, adding every query. */
    Modification restart() {
        version = 0;
        List<Change> adds = new ArrayList<>();
        for (ConvexSubscription subscription : queries.values()) {
            adds.add(new Add(subscription.queryId(), subscription.path(), subscription.args()));
        }
        return next(adds);
    }

    private Modification next(List<Change> changes) {
        Modification modification = new Modification(version, version + 1, changes);
        version++;
        return modification;
    }
}
