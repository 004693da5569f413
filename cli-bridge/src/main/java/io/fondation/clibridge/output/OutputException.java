package io.fondation.clibridge.output;

import io.fondation.shared.FondationException;

/** The analyzer's output is unusable. The message names the file (relative to the output directory) and the problem. */
public class OutputException extends FondationException {

    private final String file;

    public OutputException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public OutputException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault, relative to the output directory ("." for the directory itself). */
    public String file() {
        return file;
    }
}
