package io.fondation.http.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Host names matched exactly: loopback names, IP literals, the configured names; nothing by prefix. */
class AllowedHostsTest {

    private final AllowedHosts loopback = AllowedHosts.of("127.0.0.1", List.of());
    private final AllowedHosts everywhere = AllowedHosts.of("0.0.0.0", List.of("worker.example.com"));

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1.evil.example",
                "127.evil.example",
                "127.0.0.1evil",
                "localhost.evil",
                "evil.example",
                "localhost.",
                "127.0.0.1.",
                "0x7f.0.0.1",
                "127.1",
                "2130706433",
                "worker.example.com.evil.example",
                "[::1].evil",
                ""
            })
    void rebindingNamesAreRefusedWhereverTheServerListens(String host) {
        assertThat(loopback.allows(host)).as(host).isFalse();
        assertThat(everywhere.allows(host)).as(host).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost", "LOCALHOST", "[::1]", "::1", "127.0.0.2"})
    void loopbackNamesAreAnsweredOnLoopback(String host) {
        assertThat(loopback.allows(host)).as(host).isTrue();
    }

    @Test
    void aLoopbackServerRefusesOtherAddressesAndAPublicOneAnswersItsAddressesAndNames() {
        assertThat(loopback.allows("10.1.2.3")).isFalse();
        assertThat(loopback.allows("worker.example.com")).isFalse();
        assertThat(everywhere.allows("10.1.2.3")).as("a probe by pod IP").isTrue();
        assertThat(everywhere.allows("[fd00::1]")).isTrue();
        assertThat(everywhere.allows("Worker.Example.com")).isTrue();
        assertThat(everywhere.allows("status.example.com")).isFalse();
    }

    @Test
    void loopbackBindingIsALoopbackLiteralOrLocalhostExactly() {
        assertThat(AllowedHosts.isLoopback("127.0.0.1")).isTrue();
        assertThat(AllowedHosts.isLoopback("127.0.0.53")).isTrue();
        assertThat(AllowedHosts.isLoopback("::1")).isTrue();
        assertThat(AllowedHosts.isLoopback("[::1]")).isTrue();
        assertThat(AllowedHosts.isLoopback("localhost")).isTrue();
        assertThat(AllowedHosts.isLoopback("127.evil.example")).isFalse();
        assertThat(AllowedHosts.isLoopback("127.0.0.1.evil.example")).isFalse();
        assertThat(AllowedHosts.isLoopback("0.0.0.0")).isFalse();
    }

    @Test
    void anOriginIsThisServersOnlyWhenItNamesTheHostHeaderExactly() {
        assertThat(AllowedHosts.sameOrigin(null, "127.0.0.1:8081")).isTrue();
        assertThat(AllowedHosts.sameOrigin("http://127.0.0.1:8081", "127.0.0.1:8081"))
                .isTrue();
        assertThat(AllowedHosts.sameOrigin("http://127.0.0.1:8082", "127.0.0.1:8081"))
                .isFalse();
        assertThat(AllowedHosts.sameOrigin("http://evil.example", "127.0.0.1:8081"))
                .isFalse();
        assertThat(AllowedHosts.sameOrigin("null", "127.0.0.1:8081")).isFalse();
        assertThat(AllowedHosts.sameOrigin("file://", "127.0.0.1:8081")).isFalse();
    }
}
