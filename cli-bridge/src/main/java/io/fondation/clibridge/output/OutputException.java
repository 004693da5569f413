package io.fondation.clibridge.output;

import io.fondation.shared.FondationException;

/** The analyzer's output is unusable. The message names the file (relative to the output directory) and the problem. */
public class OutputException extends FondationException {

    private final String file;
    private final boolean skippable;

    public OutputException(String file, String problem) {
        this(file, problem, null, false);
    }

    public OutputException(String file, String problem, Throwable cause) {
        this(file, problem, cause, false);
    }

    private OutputException(String file, String problem, Throwable cause, boolean skippable) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.skippable = skippable;
    }

    /**
     * A problem of one file's content (empty, not valid UTF-8) that leaves the rest of the output trustworthy:
     * the file can be left out of the course. Links, paths outside the output directory, oversized files and
     * exceeded limits are never skippable.
     */
    public static OutputException skippable(String file, String problem) {
        return new OutputException(file, problem, null, true);
    }

    /** Whether the file can be left out while the rest of the output is kept (see {@link #skippable}). */
    public boolean isSkippable() {
        return skippable;
    }

    /** The file at fault, relative to the output directory ("." for the directory itself). */
    public String file() {
        return file;
    }
}
