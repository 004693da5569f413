package io.fondation.dryrun;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether stdout is an interactive terminal (for the CLI's progress bar and the dry-run analyzer's output). */
public final class Terminals {

    private Terminals() {}

    /**
     * Whether this JVM's stdout is an interactive terminal. From JDK 22, {@link System#console()}
     * returns a console even when output is redirected and {@code Console.isTerminal()} tells the
     * difference; the code is compiled for Java 17, hence the reflective call.
     */
    public static boolean isTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // before JDK 22 a console exists only on a terminal
        }
    }
}
