package io.fondation.worker.health;

import java.util.Map;

/** The metrics snapshot in the Prometheus text exposition format (counters end in {@code _total}). */
final class PrometheusText {

    private PrometheusText() {}

    static String render(Map<String, Number> metrics) {
        StringBuilder out = new StringBuilder();
        metrics.forEach((name, value) -> {
            String metric = "fondation_worker_" + name;
            out.append("# TYPE ")
                    .append(metric)
                    .append(name.endsWith("_total") ? " counter" : " gauge")
                    .append('\n');
            out.append(metric).append(' ').append(format(value)).append('\n');
        });
        return out.toString();
    }

    private static String format(Number value) {
        if (value instanceof Double || value instanceof Float) {
            double d = value.doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
        }
        return value.toString();
    }
}
