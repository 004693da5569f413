package io.fondation.http.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.shared.JobQueueException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API and the status page, as one Undertow handler with a table of routes ({@link #routes()}, which the
 * OpenAPI description is checked against). Every request runs on a worker thread (the queue may block). What
 * every route gets:
 * <ul>
 *   <li>(before it, from the server in front, {@code HealthServer}) a {@code Host} that is exactly an allowed
 *       name and an {@code Origin}, if any, of this server: a page of another site cannot reach it by DNS rebinding;
 *   <li>when a token is configured, the access its route needs ({@link Access}): from a bearer token
 *       ({@code API_TOKEN}, or {@code API_READ_TOKEN} for reads) or the status page's sign-in cookie (401 without,
 *       403 for a change with the read-only token);
 *   <li>for {@code POST}: {@code Content-Type: application/json} (415: a cross-site form cannot send it), an
 *       {@code Origin}, if any, of this server (403), and a body of at most {@code API_MAX_BODY_BYTES} (413);
 *   <li>security headers: a strict Content-Security-Policy, {@code nosniff}, no referrer, no framing, no caching.
 * </ul>
 */
public final class ApiHandler implements HttpHandler {

    /** The CSP of every answer: scripts, styles and requests from this server only; no inline script at all. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAMETER = Pattern.compile("\\{([a-zA-Z]+)}");

    /** A request as an endpoint sees it. */
    record Request(
            String method,
            String path,
            Map<String, String> parameters,
            Map<String, String> query,
            byte[] body,
            Access access,
            HttpServerExchange exchange) {

        String parameter(String name) {
            return parameters.get(name);
        }

        /** The body as a JSON object. */
        JsonNode json() throws ApiException {
            if (body.length == 0) {
                throw ApiException.badRequest(null, "the body is empty; send a JSON object");
            }
            JsonNode node;
            try {
                node = JSON.readTree(body);
            } catch (IOException e) {
                throw ApiException.badRequest(null, "the body is not valid JSON: " + firstLine(e.getMessage()));
            }
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest(null, "the body must be a JSON object");
            }
            return node;
        }
    }

    /** An answer. */
    record Response(int status, String contentType, byte[] body, Map<String, String> headers) {

        static Response json(int status, Object value) {
            try {
                return new Response(status, "application/json; charset=utf-8", JSON.writeValueAsBytes(value), Map.of());
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }

        static Response html(int status, String html) {
            return new Response(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        Response withHeader(String name, String value) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.put(name, value);
            return new Response(status, contentType, body, all);
        }
    }

    /** What a route does. */
    @FunctionalInterface
    interface Endpoint {
        Response handle(Request request) throws ApiException;
    }

    /**
     * A route: a method, a path template with {@code {name}} parameters, the access it needs (when a token is
     * configured), and its endpoint.
     */
    record Route(String method, String template, Pattern pattern, List<String> names, Access needs, Endpoint endpoint) {

        static Route of(String method, String template, Access needs, Endpoint endpoint) {
            List<String> names = new ArrayList<>();
            Matcher matcher = PARAMETER.matcher(template);
            StringBuilder regex = new StringBuilder();
            int last = 0;
            while (matcher.find()) {
                regex.append(Pattern.quote(template.substring(last, matcher.start())))
                        .append("([^/]+)");
                names.add(matcher.group(1));
                last = matcher.end();
            }
            regex.append(Pattern.quote(template.substring(last)));
            return new Route(method, template, Pattern.compile(regex.toString()), List.copyOf(names), needs, endpoint);
        }
    }

    /** The cookie of a status page sign-in, per port: two workers on one machine keep theirs apart. */
    static final String SESSION_COOKIE = "fondation_session_";

    private final ApiSettings settings;
    private final ApiSessions sessions;
    private final List<Route> routes;

    ApiHandler(ApiSettings settings, ApiSessions sessions, List<Route> routes) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.routes = List.copyOf(routes);
    }

    /** {@code METHOD template} of every route, e.g. {@code GET /api/jobs/{id}}. */
    public List<String> routes() {
        return routes.stream().map(r -> r.method() + " " + r.template()).toList();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        exchange.startBlocking();
        Response response;
        try {
            response = answer(exchange);
        } catch (ApiException e) {
            response = exchange.getRelativePath().startsWith("/ui/") ? htmlError(e) : error(e);
        } catch (JobQueueException.Rejected e) {
            response = Response.json(501, errorBody(e.getMessage(), null));
        } catch (JobQueueException e) {
            LOG.warn(
                    "API {} {}: the queue failed: {}",
                    exchange.getRequestMethod(),
                    exchange.getRequestPath(),
                    e.toString());
            response = Response.json(503, errorBody("the queue cannot be reached: " + e.getMessage(), null))
                    .withHeader("Retry-After", "5");
        } catch (RuntimeException e) {
            LOG.warn("API {} {} failed", exchange.getRequestMethod(), exchange.getRequestPath(), e);
            response = Response.json(500, errorBody("internal error", null));
        }
        send(exchange, response);
    }

    private Response answer(HttpServerExchange exchange) throws ApiException {
        // why: the Host and Origin of every request were checked by the server in front (HealthServer)
        String path = exchange.getRelativePath();
        String method = exchange.getRequestMethod().toString().toUpperCase(Locale.ROOT);
        List<String> allowed = new ArrayList<>();
        for (Route route : routes) {
            Matcher matcher = route.pattern().matcher(path);
            if (!matcher.matches()) {
                continue;
            }
            if (!route.method().equals(method)) {
                allowed.add(route.method());
                continue;
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            for (int i = 0; i < route.names().size(); i++) {
                parameters.put(route.names().get(i), URLDecoder.decode(matcher.group(i + 1), StandardCharsets.UTF_8));
            }
            boolean changing = !method.equals("GET") && !method.equals("HEAD");
            if (changing) {
                requireChangeShape(exchange, method);
            }
            Access access = access(exchange, route.needs() != Access.NONE);
            if (!access.covers(route.needs())) {
                throw refused(access, route.needs());
            }
            byte[] body = changing && method.equals("POST") ? readBody(exchange) : new byte[0];
            Map<String, String> query = new LinkedHashMap<>();
            exchange.getQueryParameters().forEach((name, values) -> query.put(name, values.getFirst()));
            return route.endpoint().handle(new Request(method, path, parameters, query, body, access, exchange));
        }
        if (!allowed.isEmpty()) {
            return Response.json(405, errorBody("method " + method + " not allowed on " + path, null))
                    .withHeader("Allow", String.join(", ", allowed));
        }
        throw ApiException.notFound("no such page or endpoint: " + path + " (see /api/openapi.json)");
    }

    /**
     * What the request may do: everything when no token is configured; else what its bearer token gives (a wrong
     * one is refused at once when {@code strict}), else what its sign-in cookie gives, else nothing.
     */
    Access access(HttpServerExchange exchange, boolean strict) throws ApiException {
        if (!settings.authRequired()) {
            return Access.WRITE;
        }
        String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (header != null) {
            String given = header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? header.substring(7).strip()
                    : "";
            Access access = tokenAccess(settings, given);
            if (access == Access.NONE && strict) {
                throw new ApiException(401, "the API token is wrong", null);
            }
            return access;
        }
        return sessions.access(sessionId(exchange)).orElse(Access.NONE);
    }

    /** The access a token gives: compared in constant time with both tokens. */
    static Access tokenAccess(ApiSettings settings, String given) {
        byte[] bytes = given.getBytes(StandardCharsets.UTF_8);
        // why: both comparisons always run, so the time does not tell which token came close
        boolean write = MessageDigest.isEqual(bytes, settings.token().reveal().getBytes(StandardCharsets.UTF_8));
        boolean read = settings.readToken() != null
                && MessageDigest.isEqual(bytes, settings.readToken().reveal().getBytes(StandardCharsets.UTF_8));
        return write ? Access.WRITE : read ? Access.READ : Access.NONE;
    }

    /** The sign-in cookie's session id, if the request carries one. */
    static String sessionId(HttpServerExchange exchange) {
        var cookie = exchange.getRequestCookie(cookieName(exchange));
        return cookie == null ? null : cookie.getValue();
    }

    static String cookieName(HttpServerExchange exchange) {
        return SESSION_COOKIE + exchange.getDestinationAddress().getPort();
    }

    private static ApiException refused(Access access, Access needed) {
        if (access == Access.READ) {
            return new ApiException(403, "the read-only token (API_READ_TOKEN) cannot change anything", null);
        }
        return new ApiException(
                401,
                needed == Access.WRITE
                        ? "this endpoint needs the API token: send Authorization: Bearer <API_TOKEN>, or sign in on the"
                                + " status page"
                        : "reading jobs needs the API token: send Authorization: Bearer <API_TOKEN> (or"
                                + " API_READ_TOKEN), or sign in on the status page",
                null);
    }

    /**
     * A request that changes something: JSON ({@code Content-Type: application/json}, which a cross-site form
     * cannot send) when it has a body. Its {@code Origin} was checked by the server in front.
     */
    private void requireChangeShape(HttpServerExchange exchange, String method) throws ApiException {
        String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
        if (!AllowedHosts.sameOrigin(origin, exchange.getRequestHeaders().getFirst(Headers.HOST))) {
            throw new ApiException(403, "requests from another origin (" + origin + ") are refused", null);
        }
        if (!method.equals("POST")) {
            return;
        }
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "send the body as Content-Type: application/json", null);
        }
    }

    private byte[] readBody(HttpServerExchange exchange) throws ApiException {
        long declared = exchange.getRequestContentLength();
        int max = settings.maxBodyBytes();
        if (declared > max) {
            throw tooLarge(declared);
        }
        try (InputStream in = exchange.getInputStream()) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw tooLarge(-1);
            }
            return bytes;
        } catch (IOException e) {
            throw ApiException.badRequest(null, "cannot read the body: " + e.getMessage());
        }
    }

    private ApiException tooLarge(long declared) {
        return new ApiException(
                413,
                "the body is " + (declared >= 0 ? declared + " bytes" : "too large") + "; at most "
                        + settings.maxBodyBytes() + " bytes are accepted (API_MAX_BODY_BYTES)",
                null);
    }

    private static Response error(ApiException e) {
        Response response = Response.json(e.status(), errorBody(e.getMessage(), e.field()));
        if (e.status() == 401) {
            response = response.withHeader("WWW-Authenticate", "Bearer realm=\"fondation-worker\"");
        }
        if (e.status() == 413) {
            response = response.withHeader("Connection", "close");
        }
        return response;
    }

    /** An error of a page the browser navigated to: a page saying what is wrong, with the way back. */
    private static Response htmlError(ApiException e) {
        String title = e.status() == 401 ? "Sign in first" : "Not available";
        return Response.html(
                e.status(),
                CoursePage.shell(
                        title,
                        "<p class=\"notice\">" + MarkdownHtml.escape(e.getMessage())
                                + (e.status() == 401 ? " <a href=\"/ui/\">Sign in on the status page.</a>" : "")
                                + "</p>"));
    }

    static Map<String, Object> errorBody(String message, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        return body;
    }

    private static void send(HttpServerExchange exchange, Response response) {
        exchange.setStatusCode(response.status());
        var headers = exchange.getResponseHeaders();
        headers.put(Headers.CONTENT_TYPE, response.contentType());
        headers.put(Headers.CACHE_CONTROL, "no-store");
        headers.put(HttpString.tryFromString("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
        headers.put(HttpString.tryFromString("X-Content-Type-Options"), "nosniff");
        headers.put(HttpString.tryFromString("Referrer-Policy"), "no-referrer");
        headers.put(HttpString.tryFromString("X-Frame-Options"), "DENY");
        response.headers().forEach((name, value) -> headers.put(HttpString.tryFromString(name), value));
        if (exchange.getRequestMethod().equalToString("HEAD")) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(response.body()));
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
