package io.fondation.worker.cli;

import io.fondation.engine.runtime.StopSignal;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops on SIGTERM and SIGINT. The signals are handled instead of left to the JVM's default (which
 * runs the shutdown hooks and exits with 143 or 130), so the command can release its jobs in order
 * and exit with its own status; a second signal while stopping forces an exit. A shutdown hook
 * covers the other ways the JVM can end (SIGHUP, {@code System.exit} elsewhere).
 *
 * <p>Signal handling is only available through {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}, present in every JDK this runs on). It is reached reflectively so that
 * the build stays free of internal-API warnings; without it, the shutdown hook alone stops the work.
 */
final class ProcessStopSignal implements StopSignal {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessStopSignal.class);
    private static final List<String> SIGNALS = List.of("TERM", "INT");

    @Override
    public Registration onStop(Runnable action) {
        AtomicBoolean fired = new AtomicBoolean();
        Thread stopper = new Thread(action, "fondation-stop");
        Runnable fire = () -> {
            if (fired.compareAndSet(false, true)) {
                stopper.start();
            }
        };
        List<Runnable> restore = new ArrayList<>();
        for (String name : SIGNALS) {
            Signals.handle(name, number -> {
                        if (fired.get()) {
                            // A second Ctrl-C: the user does not want to wait for the graceful stop.
                            System.err.println("fondation-worker: forced exit");
                            Runtime.getRuntime().halt(128 + number);
                        }
                        LOG.info("SIG{} received: stopping", name);
                        fire.run();
                    })
                    .ifPresent(restore::add);
        }
        Thread hook = new Thread(
                () -> {
                    fire.run();
                    try {
                        stopper.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "fondation-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            restore.forEach(Runnable::run);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Shutdown already under way: the hook runs (and waits for the stop action) anyway.
            }
        };
    }

    /** {@code sun.misc.Signal.handle}, reflectively. */
    private static final class Signals {

        /** What a handler receives: the signal's number. */
        interface Handler {
            void handle(int number);
        }

        /** Installs {@code handler} for {@code name}; the result restores the previous handler. */
        static java.util.Optional<Runnable> handle(String name, Handler handler) {
            try {
                Class<?> signalClass = Class.forName("sun.misc.Signal");
                Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
                Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
                Method getNumber = signalClass.getMethod("getNumber");
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                InvocationHandler invocation = (proxy, method, args) -> {
                    if (method.getName().equals("handle") && args != null && args.length == 1) {
                        handler.handle((Integer) getNumber.invoke(args[0]));
                        return null;
                    }
                    return switch (method.getName()) {
                        case "toString" -> "fondation-worker SIG" + name + " handler";
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> null;
                    };
                };
                Object proxy = Proxy.newProxyInstance(
                        handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, invocation);
                Object previous = handle.invoke(null, signal, proxy);
                return java.util.Optional.of(() -> {
                    try {
                        handle.invoke(null, signal, previous);
                    } catch (ReflectiveOperationException e) {
                        LOG.debug("cannot restore the SIG{} handler: {}", name, e.toString());
                    }
                });
            } catch (ReflectiveOperationException | RuntimeException e) {
                // Reserved (java -Xrs), unknown on this platform, or no sun.misc: the shutdown hook still stops the
                // work.
                LOG.debug("cannot handle SIG{}: {}", name, e.toString());
                return java.util.Optional.empty();
            }
        }
    }
}
