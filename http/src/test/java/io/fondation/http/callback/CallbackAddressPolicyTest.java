package io.fondation.http.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.shared.Backoff;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Callback URLs a caller gives: refused when they lead to this machine, its network or the metadata service, checked
 * before any connection with a stub resolver (no test here opens a socket beyond loopback), and pinned to the checked
 * address when posting.
 */
class CallbackAddressPolicyTest {

    /** Names of a made-up zone, resolved by the stub only; literals are parsed, never looked up. */
    static final Map<String, String> ZONE = Map.of(
            "metadata.test", "169.254.169.254",
            "intranet.test", "10.0.0.1",
            "loopback.test", "127.0.0.1",
            "public.test", "203.0.113.7");

    final List<String> asked = new CopyOnWriteArrayList<>();

    CallbackAddressPolicy.Resolver stub() {
        return host -> {
            asked.add(host);
            String address = ZONE.get(host);
            if (address != null) {
                return List.of(InetAddress.getByName(address));
            }
            if (host.matches("[0-9.]+") || host.contains(":")) {
                return List.of(InetAddress.getByName(host));
            }
            throw new UnknownHostException(host);
        };
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://169.254.169.254/latest/meta-data/",
                "http://10.0.0.1/hook",
                "http://[::1]:8080/hook",
                "http://127.0.0.1:9911/hook",
                "http://0.0.0.0/hook",
                "http://192.168.1.20/hook",
                "http://172.16.5.4/hook",
                "http://100.64.0.1/hook",
                "http://[fd00::1]/hook",
                "http://[fe80::1]/hook",
                "http://[::ffff:127.0.0.1]/hook",
                "http://[64:ff9b::a9fe:a9fe]/hook",
                "https://metadata.test/hook",
                "https://intranet.test/hook",
                "http://loopback.test:9911/hook"
            })
    void internalAddressesAreRefusedBeforeAnyConnection(String url) {
        CallbackAddressPolicy policy = new CallbackAddressPolicy(Set.of(), stub());
        assertThatThrownBy(() -> policy.check(URI.create(url)))
                .as(url)
                .isInstanceOf(CallbackAddressPolicy.Refused.class)
                .hasMessageContaining("callbacks go to public addresses only, unless CALLBACK_ALLOWED_HOSTS names");
    }

    @Test
    void aPublicAddressOrAnAllowedHostPassesAndAnUnknownNameIsRefused() throws Exception {
        CallbackAddressPolicy policy = new CallbackAddressPolicy(Set.of("Loopback.test", "10.0.0.1"), stub());
        assertThat(policy.check(URI.create("https://public.test/hook")))
                .isEqualTo(InetAddress.getByName("203.0.113.7"));
        assertThat(policy.check(URI.create("http://loopback.test:3000/hook")))
                .isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(policy.check(URI.create("http://10.0.0.1/hook"))).isEqualTo(InetAddress.getByName("10.0.0.1"));
        assertThatThrownBy(() -> policy.check(URI.create("http://nowhere.test/hook")))
                .hasMessageContaining("does not resolve");
        assertThat(asked).containsExactly("public.test", "loopback.test", "10.0.0.1", "nowhere.test");
    }

    @Test
    void aNameThatRebindsToLoopbackAfterTheFirstCheckReachesNothing() throws Exception {
        try (ServerSocket receiver = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            AtomicInteger lookups = new AtomicInteger();
            CallbackAddressPolicy.Resolver rebinding = host ->
                    List.of(InetAddress.getByName(lookups.getAndIncrement() == 0 ? "203.0.113.7" : "127.0.0.1"));
            CallbackAddressPolicy policy = new CallbackAddressPolicy(Set.of(), rebinding);
            URI url = URI.create("http://rebind.test:" + receiver.getLocalPort() + "/hook");
            policy.check(url); // the check when the job is submitted: public
            CallbackClient client = CallbackClient.guarded(
                    policy, Duration.ofSeconds(5), Backoff.doubling(Duration.ofMillis(1), Duration.ofMillis(2)));

            Delivery delivery = client.post(new CallbackTarget(url, null), "complete", "{}".getBytes(), 3);

            assertThat(delivery.delivered()).isFalse();
            assertThat(delivery.tries())
                    .as("a refused address is not tried again")
                    .isEqualTo(1);
            assertThat(delivery.problem()).contains("resolves to 127.0.0.1, a loopback address");
            assertThat(lookups).hasValue(2);
            receiver.setSoTimeout(200);
            assertThatThrownBy(receiver::accept)
                    .as("nothing connected to the loopback receiver")
                    .isInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    @Test
    void aRedirectIsAnAnswerNotFollowedAndTheAllowedHostGetsTheTokenInItsHeaderOnly() throws Exception {
        try (ServerSocket elsewhere = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
                ServerSocket redirecting = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            List<String> requests = new CopyOnWriteArrayList<>();
            Thread server = new Thread(() -> {
                try (Socket socket = redirecting.accept()) {
                    InputStream in = socket.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        head.append((char) in.read());
                    }
                    requests.add(head.toString());
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:"
                                    + elsewhere.getLocalPort() + "/stolen\r\nContent-Length: 5\r\n\r\nmoved")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    requests.add("failed: " + e);
                }
            });
            server.setDaemon(true);
            server.start();
            CallbackAddressPolicy policy = new CallbackAddressPolicy(Set.of("127.0.0.1"), stub());
            CallbackClient client = CallbackClient.guarded(
                    policy, Duration.ofSeconds(5), Backoff.doubling(Duration.ofMillis(1), Duration.ofMillis(2)));
            URI url = URI.create("http://127.0.0.1:" + redirecting.getLocalPort() + "/hook?x=1");

            Delivery delivery = client.post(
                    new CallbackTarget(url, io.fondation.shared.Secret.of("FAKE-callback-token")),
                    "complete",
                    "{\"a\":1}".getBytes(),
                    3);
            server.join(10_000);

            assertThat(delivery.delivered()).isFalse();
            assertThat(delivery.status()).isEqualTo(307);
            assertThat(delivery.problem()).contains("HTTP 307: moved");
            assertThat(requests).hasSize(1);
            assertThat(requests.get(0))
                    .startsWith("POST /hook?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + redirecting.getLocalPort() + "\r\n")
                    .contains("X-Job-Token: FAKE-callback-token\r\n", "Content-Length: 7\r\n");
            elsewhere.setSoTimeout(200);
            assertThatThrownBy(elsewhere::accept)
                    .as("the redirect was not followed")
                    .isInstanceOf(java.net.SocketTimeoutException.class);
        }
    }
}
