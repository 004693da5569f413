package io.fondation.clibridge.process;

import io.fondation.shared.FondationException;

/** The child process could not be started: the executable or the working directory is missing or unusable. */
public class ProcessStartException extends FondationException {

    public ProcessStartException(String message) {
        super(message);
    }

    public ProcessStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
