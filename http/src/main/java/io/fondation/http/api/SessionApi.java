package io.fondation.http.api;

import io.fondation.http.api.ApiHandler.Request;
import io.fondation.http.api.ApiHandler.Response;
import java.util.Map;
import java.util.Objects;

/**
 * The status page's sign-in and sign-out ({@code POST} and {@code DELETE /api/session}): the token travels once, in
 * a JSON body (never a URL), and comes back as a random session id in a cookie that scripts cannot read
 * ({@code HttpOnly}), that no other site's page makes the browser send ({@code SameSite=Strict}), scoped to this
 * host and this port's cookie name.
 */
final class SessionApi {

    private final ApiSettings settings;
    private final ApiSessions sessions;

    SessionApi(ApiSettings settings, ApiSessions sessions) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
    }

    /** {@code POST /api/session {token}}: 200 with the access the token gives and the cookie, or 401. */
    Response signIn(Request request) throws ApiException {
        String token = JobsApi.text(request.json(), "token", true);
        if (!settings.authRequired()) {
            return Response.json(200, Map.of("access", Access.WRITE.wireName()));
        }
        Access access = ApiHandler.tokenAccess(settings, token.strip());
        if (access == Access.NONE) {
            throw new ApiException(401, "the token is wrong (give API_TOKEN, or API_READ_TOKEN to read only)", null);
        }
        String id = sessions.create(access);
        return Response.json(200, Map.of("access", access.wireName()))
                .withHeader("Set-Cookie", cookie(request, id, ApiSessions.LIFETIME.toSeconds()));
    }

    /** {@code DELETE /api/session}: ends the sign-in and clears the cookie. */
    Response signOut(Request request) {
        sessions.end(ApiHandler.sessionId(request.exchange()));
        return Response.json(200, Map.of("access", settings.authRequired() ? Access.NONE.wireName() : "write"))
                .withHeader("Set-Cookie", cookie(request, "", 0));
    }

    private static String cookie(Request request, String value, long maxAgeSeconds) {
        boolean https = "https".equalsIgnoreCase(request.exchange().getRequestScheme());
        return ApiHandler.cookieName(request.exchange()) + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Strict" + (https ? "; Secure" : "");
    }
}
