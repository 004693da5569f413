package io.fondation.worker.cli;

import picocli.CommandLine;

/** Adds the environment variables to the help of the commands that run a worker. */
public final class EnvironmentHelpInstaller {

    private EnvironmentHelpInstaller() {}

    public static void install(CommandLine root) {
        for (String name : new String[] {"run", "dev"}) {
            CommandLine sub = root.getSubcommands().get(name);
            if (sub != null) {
                sub.getCommandSpec().usageMessage().footer(EnvironmentHelp.footer());
            }
        }
    }
}
