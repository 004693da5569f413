package io.fondation.convexqueue;

import io.fondation.shared.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds a function's arguments, leaving out absent values (Convex has no {@code undefined}). */
final class Args {

    private final Map<String, Object> values = new LinkedHashMap<>();

    static Args of() {
        return new Args();
    }

    /** Adds {@code value} unless it is null. */
    Args put(String name, Object value) {
        if (value != null) {
            values.put(name, value);
        }
        return this;
    }

    /** A duration as Convex float64 milliseconds ({@code v.number()}). */
    Args millis(String name, Duration value) {
        return value == null ? this : put(name, (double) value.toMillis());
    }

    /** An instant as Convex float64 epoch milliseconds. */
    Args epochMillis(String name, Instant value) {
        return value == null ? this : put(name, (double) value.toEpochMilli());
    }

    /** {@code progress}, {@code currentStep} and {@code totalSteps} of a heartbeat, unless {@code value} is null. */
    Args progress(Progress value) {
        return value == null
                ? this
                : put("progress", value.message())
                        .put("currentStep", (double) value.step())
                        .put("totalSteps", (double) value.totalSteps());
    }

    Map<String, Object> map() {
        return values;
    }
}
