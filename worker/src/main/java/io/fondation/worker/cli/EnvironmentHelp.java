package io.fondation.worker.cli;

import io.fondation.worker.config.ConfigVariable;
import io.fondation.worker.config.ConfigVariables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** The environment variables each command reads, from {@link ConfigVariables}, for the help footers. */
public final class EnvironmentHelp {

    private static final int NAME_WIDTH = 25;
    private static final int LINE_WIDTH = 80;

    private static final Map<String, ConfigVariable.Command> COMMANDS = Map.of(
            "run", ConfigVariable.Command.RUN,
            "run-job", ConfigVariable.Command.RUN_JOB,
            "dev", ConfigVariable.Command.DEV,
            "submit", ConfigVariable.Command.QUEUE_CLIENT,
            "status", ConfigVariable.Command.QUEUE_CLIENT,
            "docs", ConfigVariable.Command.QUEUE_CLIENT,
            "cancel", ConfigVariable.Command.QUEUE_CLIENT);

    private EnvironmentHelp() {}

    /** Adds the environment variables to the help of every command that reads some. */
    public static void install(CommandLine root) {
        COMMANDS.forEach((name, command) -> {
            CommandLine sub = root.getSubcommands().get(name);
            if (sub != null) {
                var maxAttempts = sub.getCommandSpec().findOption("--max-attempts");
                sub.getCommandSpec()
                        .usageMessage()
                        .footer(footer(command, maxAttempts == null ? null : maxAttempts.defaultValue()));
            }
        });
    }

    /**
     * @param maxAttempts the default of the command's {@code --max-attempts}, or {@code null} when it has none (a
     *     footer names no option its command lacks, and says the default the option says)
     */
    static String[] footer(ConfigVariable.Command command, String maxAttempts) {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Environment (a flag overrides the variable named in its description):");
        for (ConfigVariable variable : ConfigVariables.of(command)) {
            String text = variable.description()
                    + (variable.secret() ? " (secret)" : "")
                    + (variable.defaultText().isEmpty() ? "" : " (" + variable.defaultText() + ")");
            lines.addAll(wrap(variable.name(), text));
        }
        lines.add("Secrets are read from the environment only, never from flags, and never");
        lines.add("logged.");
        if (maxAttempts != null) {
            String attempts = maxAttempts + ("1".equals(maxAttempts) ? " attempt" : " attempts");
            lines.add(
                    command == ConfigVariable.Command.RUN_JOB
                            ? "The job gets " + attempts + " unless --max-attempts says otherwise."
                            : "Jobs get " + attempts + " unless --max-attempts says otherwise.");
        }
        return lines.toArray(String[]::new);
    }

    private static List<String> wrap(String name, String text) {
        List<String> lines = new ArrayList<>();
        String indent = " ".repeat(NAME_WIDTH + 2);
        StringBuilder line = new StringBuilder("  ").append(String.format("%-" + NAME_WIDTH + "s", name));
        if (name.length() >= NAME_WIDTH) {
            lines.add(line.toString().stripTrailing());
            line = new StringBuilder(indent);
        }
        boolean first = true;
        for (String word : text.split(" ")) {
            if (!first && line.length() + 1 + word.length() > LINE_WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
                first = true;
            }
            line.append(first ? "" : " ").append(word);
            first = false;
        }
        lines.add(line.toString());
        return lines;
    }
}
