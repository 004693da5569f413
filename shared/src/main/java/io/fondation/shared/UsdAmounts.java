package io.fondation.shared;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * US-dollar amounts as the queues keep them (issue 22): an attempt's cost, a job's total, its cap, what is left. Kept
 * to the micro-dollar, so that sums of decimal costs compare exactly on every backend (the Convex functions round the
 * same way).
 */
public final class UsdAmounts {

    /** The largest cost or cap accepted, in US dollars: anything above is a unit mistake. */
    public static final BigDecimal MAX = BigDecimal.valueOf(1_000_000);

    /** Digits kept after the point: micro-dollars. */
    public static final int SCALE = 6;

    private UsdAmounts() {}

    /**
     * {@code usd} rounded to the micro-dollar, or {@code null} for {@code null}.
     *
     * @param what names the amount in the error
     * @throws IllegalArgumentException unless the amount is from 0 to {@link #MAX}
     */
    public static BigDecimal require(String what, BigDecimal usd) {
        if (usd == null) {
            return null;
        }
        if (usd.signum() < 0 || usd.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(
                    what + " must be a number of US dollars from 0 to " + MAX.toPlainString() + ", was " + usd);
        }
        return usd.setScale(SCALE, RoundingMode.HALF_UP);
    }

    /** An amount read from a backend's float64 ({@code 0.4} is {@code 0.400000}), or {@code null}. */
    public static BigDecimal ofDouble(Double usd) {
        return usd == null ? null : BigDecimal.valueOf(usd).setScale(SCALE, RoundingMode.HALF_UP);
    }
}
