package io.fondation.clibridge.process;

/** Names of the common POSIX signals, for messages. */
final class Signals {

    private Signals() {}

    static String name(int signal) {
        switch (signal) {
            case 1:
                return " (SIGHUP)";
            case 2:
                return " (SIGINT)";
            case 6:
                return " (SIGABRT)";
            case 9:
                return " (SIGKILL)";
            case 11:
                return " (SIGSEGV)";
            case 13:
                return " (SIGPIPE)";
            case 15:
                return " (SIGTERM)";
            default:
                return "";
        }
    }
}
