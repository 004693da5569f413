package io.fondation.engine.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.shared.ClaimTerms;
import io.fondation.shared.ClaimedJob;
import io.fondation.shared.CloneSource;
import io.fondation.shared.JobLease;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What one attempt may cost: what is left of the job's budget, and no more than {@code CLAUDE_MAX_BUDGET_USD}. */
class AttemptBudgetTest {

    private static ClaimedJob job(String budgetLeft) {
        return new ClaimedJob(
                "job-1",
                CloneSource.ofFullName("acme/app", null),
                "",
                1,
                5,
                new JobLease("job-1", "w1", "token", Instant.EPOCH),
                null,
                null,
                new ClaimTerms(
                        "anonymous",
                        0,
                        new BigDecimal("0.40"),
                        budgetLeft == null ? null : new BigDecimal(budgetLeft)));
    }

    @Test
    void theSmallerOfWhatIsLeftAndThePerRunCapGoesToTheAnalyzer() {
        assertThat(AnalyzerLauncher.attemptBudget(job("0.60"), new BigDecimal("5")))
                .isEqualByComparingTo("0.60");
        assertThat(AnalyzerLauncher.attemptBudget(job("0.60"), new BigDecimal("0.25")))
                .isEqualByComparingTo("0.25");
        assertThat(AnalyzerLauncher.attemptBudget(job("0.60"), null)).isEqualByComparingTo("0.60");
        assertThat(AnalyzerLauncher.attemptBudget(job("0.600000"), null).toPlainString())
                .as("as --max-budget-usd shows it")
                .isEqualTo("0.6");
    }

    @Test
    void withoutABudgetThePerRunCapAloneApplies() {
        assertThat(AnalyzerLauncher.attemptBudget(job(null), new BigDecimal("5")))
                .isEqualByComparingTo("5");
        assertThat(AnalyzerLauncher.attemptBudget(job(null), null)).isNull();
    }
}
