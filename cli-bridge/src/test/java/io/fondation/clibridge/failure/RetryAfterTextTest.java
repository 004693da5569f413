package io.fondation.clibridge.failure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryAfterTextTest {

    private static final Duration CAP = Duration.ofHours(6);

    @Test
    void readsTheWaitsMessagesName() {
        assertThat(RetryAfterText.find("HTTP 429, retry-after: 20", CAP)).contains(Duration.ofSeconds(20));
        assertThat(RetryAfterText.find("Retry-After: 1.5", CAP)).contains(Duration.ofMillis(1500));
        assertThat(RetryAfterText.find("{\"retry_after\":45}", CAP)).contains(Duration.ofSeconds(45));
        assertThat(RetryAfterText.find("Please retry after 3 minutes.", CAP)).contains(Duration.ofMinutes(3));
        assertThat(RetryAfterText.find("Rate limited. Try again in 90s", CAP)).contains(Duration.ofSeconds(90));
        assertThat(RetryAfterText.find("try again in 2 hours", CAP)).contains(Duration.ofHours(2));
        assertThat(RetryAfterText.find("retry after 250 ms", CAP)).contains(Duration.ofMillis(250));
    }

    @Test
    void wordsWithoutAWaitGiveNothingAndLongWaitsAreCapped() {
        assertThat(RetryAfterText.find("try again in a moment. If it persists, check status", CAP))
                .isEmpty();
        assertThat(RetryAfterText.find("API Error: Request rejected (429)", CAP))
                .isEmpty();
        assertThat(RetryAfterText.find("retry-after: 86400", CAP)).contains(CAP);
    }
}
