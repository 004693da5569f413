package io.fondation.clibridge.process;

import java.util.concurrent.ThreadFactory;

/** Threads that never keep the JVM alive, for the library's own background work. */
public final class DaemonThreads {

    private DaemonThreads() {}

    /** A factory of daemon threads all called {@code name}. */
    public static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
