package io.fondation.embeddedqueue;

import io.fondation.shared.UsdAmounts;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Budgets across attempts (issue 22) as the embedded queue keeps them: amounts are stored as whole micro-dollars
 * ({@link UsdAmounts#SCALE}), so that sums compare exactly; the message of a job whose budget is spent is the Convex
 * functions' ({@code convex/lib/costs.ts budgetSpentMessage}), word for word.
 */
final class SqliteBudgets {

    private SqliteBudgets() {}

    /** {@code usd} in micro-dollars, or {@code null}; checked as {@link UsdAmounts#require} does. */
    static Long micros(String what, BigDecimal usd) {
        BigDecimal checked = UsdAmounts.require(what, usd);
        return checked == null ? null : checked.unscaledValue().longValueExact();
    }

    /** Micro-dollars as US dollars at {@link UsdAmounts#SCALE}, or {@code null}. */
    static BigDecimal usd(Long micros) {
        return micros == null ? null : BigDecimal.valueOf(micros, UsdAmounts.SCALE);
    }

    /** Whether {@code spent} leaves nothing of {@code cap} (no cap: never). */
    static boolean isSpent(Long cap, long spent) {
        return cap != null && cap - spent <= 0;
    }

    /** What is left of {@code cap} (never below 0), or {@code null} without a cap. */
    static Long left(Long cap, long spent) {
        return cap == null ? null : Math.max(cap - spent, 0);
    }

    /** The error of a job that ends because its budget is spent. */
    static String spentMessage(long spent, long cap, int attempts, String lastError) {
        String head = "budget spent: the job's attempts cost " + dollars(spent) + " of its " + dollars(cap) + " limit ("
                + attempts + " attempt" + (attempts == 1 ? "" : "s") + "); it is not retried";
        return lastError == null || lastError.isEmpty() ? head : head + ". Last error: " + lastError;
    }

    private static String dollars(long micros) {
        BigDecimal amount = BigDecimal.valueOf(micros, UsdAmounts.SCALE);
        // why these digits: costs.ts shows cents, and four digits for amounts under a cent that are not zero
        int digits = micros >= 10_000 || micros == 0 ? 2 : 4;
        return "$" + amount.setScale(digits, RoundingMode.HALF_UP).toPlainString();
    }
}
