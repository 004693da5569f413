package io.fondation.clibridge.process;

import java.util.Map;
import java.util.concurrent.ThreadFactory;
import org.slf4j.MDC;

/**
 * Threads that never keep the JVM alive, for the library's own background work, and the log fields (SLF4J's MDC:
 * a job's id and attempt) carried to the threads that work on a caller's behalf.
 */
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

    /**
     * {@code body}, run with the log fields (MDC) the calling thread has now: for work done on its behalf on another
     * thread (a process's output drainers, a watcher, a heartbeat), so that every line it logs names the same job.
     * The running thread's own fields are put back afterwards.
     */
    public static Runnable withCallersLogContext(Runnable body) {
        Map<String, String> captured = MDC.getCopyOfContextMap();
        if (captured == null || captured.isEmpty()) {
            return body;
        }
        return () -> {
            Map<String, String> previous = MDC.getCopyOfContextMap();
            MDC.setContextMap(captured);
            try {
                body.run();
            } finally {
                if (previous == null) {
                    MDC.clear();
                } else {
                    MDC.setContextMap(previous);
                }
            }
        };
    }
}
