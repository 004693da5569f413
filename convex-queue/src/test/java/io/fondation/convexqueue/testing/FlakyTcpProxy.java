package io.fondation.convexqueue.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of a real server, for failure injection: it can refuse service
 * (every connection is closed at once, as if the deployment were down) or swallow responses
 * (the request reaches the server, the answer never reaches the client: a lost response).
 */
public final class FlakyTcpProxy implements AutoCloseable {

    /** What the proxy does with new connections. */
    public enum Mode {
        /** Forwards both ways. */
        FORWARD,
        /** Closes each connection at once without forwarding anything. */
        DOWN,
        /** Forwards the request, then closes the client connection instead of relaying the answer. */
        LOSE_RESPONSES
    }

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger lostResponses = new AtomicInteger();
    private volatile Mode mode = Mode.FORWARD;
    private volatile int responsesToLose;

    private FlakyTcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "flaky-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy forwarding to {@code http://127.0.0.1:<port>} of {@code targetUrl}. */
    public static FlakyTcpProxy to(String targetUrl) {
        java.net.URI uri = java.net.URI.create(targetUrl);
        try {
            return new FlakyTcpProxy(new InetSocketAddress(uri.getHost(), uri.getPort()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the proxy", e);
        }
    }

    /** {@code http://127.0.0.1:<proxy port>}. */
    public String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /** Forward everything again. */
    public void up() {
        mode = Mode.FORWARD;
    }

    /** Refuse service: open connections are cut and new ones closed at once. */
    public void down() {
        mode = Mode.DOWN;
        cutAll();
    }

    /** Lose the answers to the next {@code count} requests (each on a fresh connection), then forward. */
    public void loseResponses(int count) {
        cutAll(); // pooled connections would bypass the new mode
        responsesToLose = count;
        mode = Mode.LOSE_RESPONSES;
    }

    /** Connections closed while down. */
    public int droppedConnections() {
        return dropped.get();
    }

    /** Answers swallowed so far. */
    public int lostResponses() {
        return lostResponses.get();
    }

    private void cutAll() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            Mode current = mode;
            if (current == Mode.DOWN) {
                dropped.incrementAndGet();
                closeQuietly(client);
                continue;
            }
            try {
                Socket server = new Socket(target.getAddress(), target.getPort());
                open.add(client);
                open.add(server);
                boolean lose = current == Mode.LOSE_RESPONSES && responsesToLose > 0;
                if (lose) {
                    responsesToLose--;
                    if (responsesToLose == 0) {
                        mode = Mode.FORWARD;
                    }
                }
                pump(client, server, "up", false);
                pump(server, client, "down", lose);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, String direction, boolean swallow) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[64 * 1024];
                    try (InputStream in = from.getInputStream()) {
                        OutputStream out = to.getOutputStream();
                        int read;
                        while ((read = in.read(buffer)) >= 0) {
                            if (swallow) {
                                // The server answered: the request ran. Drop the answer and the connection.
                                lostResponses.incrementAndGet();
                                break;
                            }
                            out.write(buffer, 0, read);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // A side closed; close the other below.
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        open.remove(from);
                        open.remove(to);
                    }
                },
                "flaky-proxy-" + direction);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // Closing anyway.
        }
        cutAll();
    }
}
