package io.fondation.worker.cli;

import io.fondation.shared.FondationException;

/** Bad input on the command line; reported as one line, exit code 2. */
public class UsageException extends FondationException {

    public UsageException(String message) {
        super(message);
    }
}
