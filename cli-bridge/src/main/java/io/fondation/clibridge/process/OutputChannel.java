package io.fondation.clibridge.process;

/** Which of a child process's output streams a line came from. */
public enum OutputChannel {
    STDOUT,
    STDERR
}
