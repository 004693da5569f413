package io.fondation.clibridge.fondation;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command line for a generic analyzer: a list of arguments that may contain placeholders such
 * as {@code {repo}}, {@code {outputDir}}, {@code {prompt}} and {@code {jobId}}. Each element stays
 * one argument whatever it is replaced with; nothing is ever split by a shell.
 */
public final class CommandTemplate {

    /** A placeholder: a name in braces. Other braces (JSON, for example) are left alone. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)\\}");

    private final List<String> argv;
    private final Set<String> placeholders;

    private CommandTemplate(List<String> argv, Set<String> placeholders) {
        this.argv = argv;
        this.placeholders = placeholders;
    }

    /**
     * @param argv the executable and its arguments, each element one argument
     * @throws IllegalArgumentException if the list is empty or the executable is blank
     */
    public static CommandTemplate parse(List<String> argv) {
        Objects.requireNonNull(argv, "argv");
        if (argv.isEmpty() || argv.get(0) == null || argv.get(0).isBlank()) {
            throw new IllegalArgumentException("a command template needs an executable as its first element");
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (arg == null) {
                throw new IllegalArgumentException("command template element " + i + " is null");
            }
            Matcher m = PLACEHOLDER.matcher(arg);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return new CommandTemplate(List.copyOf(argv), Set.copyOf(names));
    }

    /**
     * Replaces the placeholders of every element with {@code values}.
     *
     * @throws IllegalArgumentException naming a placeholder that has no value
     */
    public List<String> render(Map<String, String> values) {
        List<String> out = new ArrayList<>(argv.size());
        for (String arg : argv) {
            Matcher m = PLACEHOLDER.matcher(arg);
            StringBuilder rendered = new StringBuilder();
            while (m.find()) {
                String value = values.get(m.group(1));
                if (value == null) {
                    throw new IllegalArgumentException(
                            "no value for placeholder {" + m.group(1) + "} in command template");
                }
                m.appendReplacement(rendered, Matcher.quoteReplacement(value));
            }
            m.appendTail(rendered);
            out.add(rendered.toString());
        }
        return out;
    }

    /** The placeholder names the template uses. */
    public Set<String> placeholders() {
        return placeholders;
    }

    @Override
    public String toString() {
        return "CommandTemplate" + argv;
    }
}
