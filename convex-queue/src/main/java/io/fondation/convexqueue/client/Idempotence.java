package io.fondation.convexqueue.client;

/**
 * Whether running a call twice has the same effect as running it once. Only idempotent calls are
 * retried after a transient failure, because a mutation whose response was lost may already have
 * run. Queries are always idempotent.
 */
public enum Idempotence {
    /** Safe to repeat (a query, an upsert, a claim carrying a client-generated claim token ...). */
    IDEMPOTENT,
    /** Not safe to repeat; never retried automatically. */
    NOT_IDEMPOTENT
}
