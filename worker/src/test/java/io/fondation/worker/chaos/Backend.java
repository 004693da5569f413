package io.fondation.worker.chaos;

/** The queues the chaos cases run against: the embedded SQLite file, and Convex through the local server. */
public enum Backend {
    EMBEDDED,
    CONVEX
}
