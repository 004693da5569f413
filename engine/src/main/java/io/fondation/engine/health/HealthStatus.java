package io.fondation.engine.health;

/** The worker's health as {@code /health} reports it. */
public enum HealthStatus {
    /** Polling works (busy or idle, for however long). HTTP 200. */
    HEALTHY(200),
    /** The poll loop runs but the queue backend failed recently. HTTP 206, as the existing worker answered. */
    DEGRADED(206),
    /** The poll loop is not running (not started, stopping, stopped or dead). HTTP 503. */
    UNHEALTHY(503);

    private final int httpStatus;

    HealthStatus(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
