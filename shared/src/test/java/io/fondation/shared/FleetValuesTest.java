package io.fondation.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The values of issue 22's SPI check what every backend would otherwise check differently. */
class FleetValuesTest {

    private static final Duration LEASE = Duration.ofMinutes(5);

    @Test
    void aClaimNamesACredentialOnlyByItsFingerprintAndNeverRepeatsAnythingElse() {
        ClaimRequest request = ClaimRequest.of("worker-a", LEASE).withCredential("sha256:0123456789abcdef");
        assertThat(request.credentialFingerprint()).contains("sha256:0123456789abcdef");
        assertThat(ClaimRequest.of("worker-a", LEASE).credentialFingerprint()).isEmpty();

        String secret = "sk-ant-FAKE";
        assertThatThrownBy(() -> ClaimRequest.of("worker-a", LEASE).withCredential(secret))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fingerprint")
                .message()
                .doesNotContain(secret);
        assertThatThrownBy(() -> ClaimRequest.of("worker a", LEASE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClaimRequest.of("worker-a", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void amountsAreKeptToTheMicroDollarAndBounded() {
        assertThat(UsdAmounts.require("cap", new BigDecimal("0.1234567"))).isEqualTo(new BigDecimal("0.123457"));
        assertThat(UsdAmounts.ofDouble(0.4).add(UsdAmounts.ofDouble(0.4)).add(UsdAmounts.ofDouble(0.2)))
                .isEqualByComparingTo("1.00");
        assertThat(UsdAmounts.require("cap", null)).isNull();
        assertThatThrownBy(() -> UsdAmounts.require("cap", new BigDecimal("-0.01")))
                .hasMessageContaining("cap");
        assertThatThrownBy(() -> UsdAmounts.require("cap", new BigDecimal("1000000.01")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ClaimRequest.of("w", LEASE)
                        .withDefaultMaxCostUsd(new BigDecimal("0.5"))
                        .defaultMaxCostUsd())
                .isEqualTo(new BigDecimal("0.500000"));
    }

    @Test
    void aJobSpecKeepsItsUserPriorityAndCapAndTheOldConstructorMeansNone() {
        CloneSource source = CloneSource.ofFullName("acme/widgets", "main");
        JobSpec plain = new JobSpec(source, "p", 3, null, null);
        assertThat(plain.user()).isNull();
        assertThat(plain.priority()).isZero();
        assertThat(plain.maxCostUsd()).isNull();

        JobSpec spec = JobSpec.of(source, "p")
                .withUser("  user-a ")
                .withPriority(7)
                .withMaxCostUsd(new BigDecimal("1"))
                .withMaxAttempts(2);
        assertThat(spec.user()).isEqualTo("user-a");
        assertThat(spec.priority()).isEqualTo(7);
        assertThat(spec.maxCostUsd()).isEqualByComparingTo("1.00");
        assertThat(spec.maxAttempts()).isEqualTo(2);
        assertThatThrownBy(() -> spec.withUser(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> spec.withPriority(JobSpec.MAX_PRIORITY + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aQueueLackingAFleetFeatureMustSayWhy() {
        assertThat(FleetSupport.ALL.supports(FleetSupport.Feature.LLM_PAUSES)).isTrue();
        assertThatThrownBy(() -> new FleetSupport(Set.of(FleetSupport.Feature.FAIR_CLAIMS), " "))
                .isInstanceOf(IllegalArgumentException.class);
        FleetSupport none = FleetSupport.none("compatibility mode");
        assertThat(none.features()).isEmpty();
        assertThat(none.supports(FleetSupport.Feature.COST_BUDGETS)).isFalse();
    }

    @Test
    void claimTermsTellTheCapInForceFromTheCostSoFarAndWhatIsLeft() {
        ClaimTerms capped = new ClaimTerms("user-a", 0, new BigDecimal("0.8"), new BigDecimal("0.2"));
        assertThat(capped.maxCostUsd())
                .hasValueSatisfying(cap -> assertThat(cap).isEqualByComparingTo("1.00"));
        ClaimTerms uncapped = new ClaimTerms("anonymous", 0, null, null);
        assertThat(uncapped.costUsd()).isEqualByComparingTo("0");
        assertThat(uncapped.budget()).isEmpty();
        assertThat(uncapped.maxCostUsd()).isEmpty();
    }

    @Test
    void aClaimAnswersAJobOrThePauseThatHeldItBackNeverBoth() {
        Instant now = Instant.parse("2026-12-07T03:00:00Z");
        LlmPause pause = new LlmPause(
                "sha256:0123456789abcdef",
                LlmLimitKind.RATE_LIMIT,
                now.plusSeconds(20),
                now.plusSeconds(20),
                1,
                now,
                null,
                null,
                null,
                "worker-a",
                now);
        ClaimedJob job = new ClaimedJob(
                "job-1",
                CloneSource.ofFullName("acme/a", null),
                "p",
                1,
                3,
                new JobLease("job-1", "worker-a", "token", now.plusSeconds(60)));

        assertThat(ClaimResult.pausedBy(pause).job()).isEmpty();
        assertThat(ClaimResult.pausedBy(pause).pause()).contains(pause);
        assertThat(ClaimResult.of(job).job()).contains(job);
        assertThat(ClaimResult.of(job).pause()).isEmpty();
        assertThat(ClaimResult.of(Optional.empty())).isEqualTo(ClaimResult.NONE);
        assertThatThrownBy(() -> new ClaimResult(job, pause)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ClaimTerms("user-a", 0, null, null).probe())
                .as("terms of a queue that says nothing of probes")
                .isFalse();
    }
}
