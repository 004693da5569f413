package io.fondation.shared;

import java.util.Objects;

/**
 * A secret setting (a key, a token). Its {@link #toString()} never shows the value, so a secret can
 * sit in records and be logged by accident without leaking; only {@link #reveal()} gives it out.
 */
public final class Secret {

    private static final String REDACTED = "[redacted]";

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /** @throws IllegalArgumentException when the value is blank */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("a secret cannot be blank");
        }
        return new Secret(value);
    }

    /** The value, for the one place that must send it (a header, a credentials provider). */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && secret.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return REDACTED;
    }
}
