package io.fondation.worker.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Order statistics of a sample (nearest-rank percentiles: no interpolation, so p99 of 50 values is the largest).
 *
 * @param sorted the values in ascending order
 */
record Stats(List<Double> sorted) {

    Stats {
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        sorted = List.copyOf(sorted);
    }

    static Stats of(List<? extends Number> values) {
        List<Double> copy = new ArrayList<>();
        for (Number value : values) {
            copy.add(value.doubleValue());
        }
        copy.sort(null);
        return new Stats(copy);
    }

    /** The nearest-rank percentile, {@code p} in (0, 100]. */
    double percentile(double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    double median() {
        return percentile(50);
    }

    double max() {
        return sorted.get(sorted.size() - 1);
    }

    double min() {
        return sorted.get(0);
    }

    int count() {
        return sorted.size();
    }
}
