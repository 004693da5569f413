package io.fondation.worker.testing;

/**
 * How the worker module's test classes share the one test JVM (settings in {@code
 * src/test/resources/junit-platform.properties}).
 *
 * <p>Classes run one after another, as always, except the few whose time goes to real-time waits the case itself
 * prescribes (a 30 s idle window, a 60 s production lease, a 30 s outage) and little to CPU: those are marked
 * {@code @Execution(CONCURRENT)} and run beside the sequential ones, so that their waiting hides behind other
 * classes' work instead of adding to the suite's wall time. Each of them holds {@link #MACHINE} for reading.
 *
 * <p>The classes that need the machine or this JVM's process tree to themselves hold {@link #MACHINE} for writing,
 * so none of the concurrent classes runs beside them: the throughput case (its CPU-bound rate), and the cases that
 * look at every process this JVM started (a concurrent class's analyzers would be among them). They are ordered
 * {@link #LAST}, after the sequential classes, so that the concurrent ones are over by then and nobody waits.
 *
 * <p>Two things to know before marking another class concurrent: each of its methods needs its own
 * {@code Execution(SAME_THREAD)} annotation (a class's mode is also its methods' default, and a read lock does not
 * change that), and Awaitility fails any await in progress on an exception no thread caught, whichever class's thread
 * threw it, so a concurrent class must leave no stray thread that can throw.
 */
public final class SuiteSharing {

    /** The resource the concurrent classes read and the classes that need the machine alone write. */
    public static final String MACHINE = "io.fondation.worker.machine";

    /** {@code @Order} of the classes that hold {@link #MACHINE} for writing: after every other class. */
    public static final int LAST = Integer.MAX_VALUE;

    private SuiteSharing() {}
}
