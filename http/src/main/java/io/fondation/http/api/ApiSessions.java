package io.fondation.http.api;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The status page's sign-ins: a person gives the API token (or the read-only one) once, in the page's sign-in form;
 * the server answers with a random session id in an {@code HttpOnly}, {@code SameSite=Strict} cookie, which the
 * browser sends with the page's requests and with the course pages it navigates to (a navigation cannot carry an
 * {@code Authorization} header). The token itself is never stored in the browser, never in a URL, and a script of
 * the page cannot read the cookie. Sessions live in this process's memory: a restart signs everyone out.
 */
final class ApiSessions {

    /** How long a sign-in lasts. */
    static final Duration LIFETIME = Duration.ofHours(12);
    /** The most sessions kept; the oldest goes first beyond it. */
    static final int MAX_SESSIONS = 1_000;

    private record Session(Access access, Instant expires) {}

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    ApiSessions(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A new session with {@code access}; returns its id (256 random bits, URL-safe base64). */
    String create(Access access) {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !s.expires().isAfter(now));
        while (sessions.size() >= MAX_SESSIONS) {
            sessions.entrySet().stream()
                    .min(Comparator.comparing(e -> e.getValue().expires()))
                    .ifPresent(e -> sessions.remove(e.getKey()));
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        sessions.put(id, new Session(access, now.plus(LIFETIME)));
        return id;
    }

    /** The access of a live session, if {@code id} names one. */
    Optional<Access> access(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        if (!session.expires().isAfter(clock.instant())) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.of(session.access());
    }

    /** Ends a session (signing out). */
    void end(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }
}
