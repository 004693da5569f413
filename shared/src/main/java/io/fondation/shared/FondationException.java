package io.fondation.shared;

/** The root of Fondation's unchecked exceptions. Messages never contain secrets. */
public class FondationException extends RuntimeException {

    public FondationException(String message) {
        super(message);
    }

    public FondationException(String message, Throwable cause) {
        super(message, cause);
    }
}
