package io.fondation.http.api;

/** What a request may do, from its credentials; each route needs one of these. */
enum Access {
    /** Nothing but the public routes: the page's files, {@code /api/info}, the OpenAPI description, signing in. */
    NONE,
    /** Read jobs and their documents: {@code API_READ_TOKEN} (or no token configured). */
    READ,
    /** Read, submit and cancel: {@code API_TOKEN} (or no token configured). */
    WRITE;

    /** Whether this access includes {@code needed}. */
    boolean covers(Access needed) {
        return compareTo(needed) >= 0;
    }

    /** The lower-case name the API shows ({@code none}, {@code read}, {@code write}). */
    String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
