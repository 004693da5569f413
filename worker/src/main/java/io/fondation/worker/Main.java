package io.fondation.worker;

import io.fondation.worker.assembly.StartupWarmup;
import io.fondation.worker.cli.CliEnvironment;
import io.fondation.worker.cli.CliErrors;
import io.fondation.worker.cli.EnvironmentHelp;
import io.fondation.worker.cli.RootCommand;
import java.lang.reflect.Constructor;
import java.util.Map;
import picocli.CommandLine;

/**
 * The {@code fondation-worker} command: {@code run} (the worker), {@code dev} (queue and worker in
 * one process), {@code submit}, {@code status}, {@code docs}. Exit codes: 0 ok, 1 a job failed or a
 * runtime error, 2 a usage or configuration error.
 */
public final class Main {

    /** SLF4J's own chattiness ({@code org.slf4j.helpers.Reporter}): INFO, WARN or ERROR. */
    private static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";

    private Main() {}

    public static void main(String[] args) {
        // why: the start-up warm-up thread may log (Undertow, XNIO) while the main thread initialises logging; SLF4J
        // then replays those lines once ready, but first prints a notice of its own on stderr, which is not one of
        // the worker's lines and breaks LOG_FORMAT=json's one JSON object per line. Its errors still print.
        if (System.getProperty(SLF4J_VERBOSITY) == null) {
            System.setProperty(SLF4J_VERBOSITY, "ERROR");
        }
        StartupWarmup.startFor(args);
        System.exit(execute(CliEnvironment.system(), args));
    }

    /** Runs one command line in {@code environment} and returns its exit code. */
    public static int execute(CliEnvironment environment, String... args) {
        return commandLine(environment, args).execute(args);
    }

    /**
     * The configured picocli command line with every subcommand; tests set its out and err writers and call
     * {@link CommandLine#execute(String...)}.
     */
    public static CommandLine commandLine(CliEnvironment environment) {
        return commandLine(environment, new String[0]);
    }

    /** The configured picocli command line for {@code args}: only the subcommand they name, when they name one. */
    static CommandLine commandLine(CliEnvironment environment, String... args) {
        CliErrors errors = new CliErrors();
        Factory factory = new Factory(environment);
        CommandLine commandLine = new CommandLine(new RootCommand(), factory);
        for (Map.Entry<String, Class<?>> subcommand :
                RootCommand.subcommandsFor(args).entrySet()) {
            commandLine.addSubcommand(subcommand.getKey(), new CommandLine(subcommand.getValue(), factory));
        }
        // why: after the subcommands, so that the settings reach them too
        commandLine
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors)
                .setCaseInsensitiveEnumValuesAllowed(true);
        EnvironmentHelp.install(commandLine);
        return commandLine;
    }

    /** Gives commands that want it the {@link CliEnvironment}. */
    private static final class Factory implements CommandLine.IFactory {
        private final CliEnvironment environment;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(CliEnvironment environment) {
            this.environment = environment;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            Constructor<K> constructor;
            try {
                constructor = type.getDeclaredConstructor(CliEnvironment.class);
            } catch (NoSuchMethodException e) {
                return fallback.create(type);
            }
            return constructor.newInstance(environment);
        }
    }
}
