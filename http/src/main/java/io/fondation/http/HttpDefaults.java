package io.fondation.http;

import io.fondation.shared.Backoff;
import java.time.Duration;

/** The defaults of the webhook callbacks ({@code run-job}) and of the HTTP API, where the catalog and the code read them. */
public final class HttpDefaults {

    /** Tries after the first for a final callback. */
    public static final int CALLBACK_RETRIES = 5;
    /** The first wait between two tries of a callback, then doubling up to 10 s. */
    public static final long CALLBACK_RETRY_DELAY_MS = 500;
    /** The longest wait between two tries of a callback. */
    public static final Duration CALLBACK_MAX_RETRY_DELAY = Duration.ofSeconds(10);
    /** The waits between the tries of a callback: {@link #CALLBACK_RETRY_DELAY_MS} doubling up to 10 s. */
    public static final Backoff CALLBACK_BACKOFF =
            Backoff.doubling(Duration.ofMillis(CALLBACK_RETRY_DELAY_MS), CALLBACK_MAX_RETRY_DELAY);
    /** How long one callback post may take. */
    public static final long CALLBACK_TIMEOUT_MS = 30_000;
    /**
     * 16 MiB: the existing receiver stores the files through {@code docs:upsertFromJob}, one Convex mutation, whose
     * arguments Convex limits to 16 MiB.
     */
    public static final long MAX_PAYLOAD_BYTES = 16L * 1024 * 1024;
    /** The largest request body the HTTP API reads: a job request is a few hundred bytes. */
    public static final int API_MAX_BODY_BYTES = 64 * 1024;

    private HttpDefaults() {}
}
