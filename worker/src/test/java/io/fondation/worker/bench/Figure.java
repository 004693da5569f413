package io.fondation.worker.bench;

/**
 * One measured figure beside its target.
 *
 * @param name what was measured
 * @param measured the figure, with its unit (and spread where it has one)
 * @param target the target in words ({@code ≤ 150 ms}), or empty when there is none
 * @param verdict met, missed by how much, or informational
 */
record Figure(String name, String measured, String target, String verdict) {

    /** A figure compared to an upper bound: met, or missed by the ratio over it. */
    static Figure atMost(String name, double value, double bound, String unit, String detail) {
        return new Figure(
                name,
                format(value) + " " + unit + detail,
                "≤ " + format(bound) + " " + unit,
                value <= bound
                        ? "met"
                        : "missed by " + format(value - bound) + " " + unit + " ("
                                + String.format(java.util.Locale.ROOT, "%.1f", value / bound) + "×)");
    }

    /** A figure compared to a lower bound. */
    static Figure atLeast(String name, double value, double bound, String unit, String detail) {
        return new Figure(
                name,
                format(value) + " " + unit + detail,
                "≥ " + format(bound) + " " + unit,
                value >= bound
                        ? "met"
                        : "missed: " + String.format(java.util.Locale.ROOT, "%.0f", 100 * value / bound)
                                + " % of the target");
    }

    /** A figure without a target. */
    static Figure info(String name, String measured) {
        return new Figure(name, measured, "", "");
    }

    static String format(double value) {
        if (Math.abs(value) >= 100 || value == Math.rint(value)) {
            return String.format(java.util.Locale.ROOT, "%.0f", value);
        }
        if (Math.abs(value) >= 10) {
            return String.format(java.util.Locale.ROOT, "%.1f", value);
        }
        return String.format(java.util.Locale.ROOT, "%.2f", value);
    }
}
