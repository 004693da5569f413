package io.fondation.engine.git;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Git's smart HTTP protocol (v0 and v2) on loopback: {@code git http-backend} behind the JDK's HTTP server, serving
 * the bare repositories under a folder. Optionally asks for basic credentials, so that tests see what a client
 * sends. Both git clients are measured and tested against it.
 */
public final class GitHttpServer implements AutoCloseable {

    private static final Path BACKEND = Path.of("/usr/lib/git-core/git-http-backend");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "git-http");
        t.setDaemon(true);
        return t;
    });
    private final Path root;
    private final String requiredAuthorization;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    private GitHttpServer(Path root, String requiredAuthorization) throws IOException {
        this.root = root;
        this.requiredAuthorization = requiredAuthorization;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Whether {@code git http-backend} is installed where Debian puts it. */
    public static boolean available() {
        return Files.isExecutable(BACKEND);
    }

    /** Serves the bare repositories under {@code root} to anyone. */
    public static GitHttpServer serving(Path root) {
        return start(root, null);
    }

    /** Serves the bare repositories under {@code root} to requests with these basic credentials only. */
    public static GitHttpServer servingWithCredentials(Path root, String username, String password) {
        String expected = "Basic "
                + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        return start(root, expected);
    }

    private static GitHttpServer start(Path root, String authorization) {
        try {
            return new GitHttpServer(root, authorization);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The {@code Authorization} headers received, in order. */
    public List<String> authorizations() {
        return authorizations;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                authorizations.add(auth);
            }
            if (requiredAuthorization != null && !requiredAuthorization.equals(auth)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            ProcessBuilder cgi = new ProcessBuilder(BACKEND.toString());
            Map<String, String> env = cgi.environment();
            env.put("GIT_PROJECT_ROOT", root.toString());
            env.put("GIT_HTTP_EXPORT_ALL", "1");
            env.put("REQUEST_METHOD", exchange.getRequestMethod());
            env.put("PATH_INFO", exchange.getRequestURI().getRawPath());
            String query = exchange.getRequestURI().getRawQuery();
            env.put("QUERY_STRING", query == null ? "" : query);
            env.put("REMOTE_ADDR", "127.0.0.1");
            putHeader(exchange, env, "Content-Type", "CONTENT_TYPE");
            putHeader(exchange, env, "Content-Encoding", "HTTP_CONTENT_ENCODING");
            putHeader(exchange, env, "Git-Protocol", "GIT_PROTOCOL");
            Process process = cgi.start();
            // why: the request body may be large (negotiation); feed it while the backend answers.
            Thread feeder = new Thread(() -> {
                try (InputStream in = exchange.getRequestBody();
                        OutputStream out = process.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // the backend stopped reading: its answer says why
                }
            });
            feeder.setDaemon(true);
            feeder.start();
            InputStream out = process.getInputStream();
            int status = 200;
            for (String line = readLine(out); line != null && !line.isEmpty(); line = readLine(out)) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Status")) {
                    status = Integer.parseInt(value.split(" ")[0]);
                } else {
                    exchange.getResponseHeaders().add(name, value);
                }
            }
            exchange.sendResponseHeaders(status, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                out.transferTo(body);
            }
            process.getErrorStream().transferTo(OutputStream.nullOutputStream());
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void putHeader(HttpExchange exchange, Map<String, String> env, String header, String variable) {
        String value = exchange.getRequestHeaders().getFirst(header);
        if (value != null) {
            env.put(variable, value);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                return line.toString(StandardCharsets.ISO_8859_1).replace("\r", "");
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
