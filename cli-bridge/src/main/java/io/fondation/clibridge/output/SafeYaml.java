package io.fondation.clibridge.output;

import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Loads untrusted YAML into plain maps, lists and scalars: no arbitrary types (SafeConstructor),
 * no duplicate keys, few aliases, bounded nesting and size, and a check of the size the document
 * expands to, so an alias bomb fails fast instead of exhausting memory.
 */
public final class SafeYaml {

    /** The most aliases to collections a document may use (LLM output never needs many). */
    public static final int DEFAULT_MAX_ALIASES = 50;
    /** The deepest nesting accepted. */
    public static final int DEFAULT_MAX_DEPTH = 64;
    /** The most nodes (scalars and collections) a document may expand to, aliases counted as copies. */
    public static final long DEFAULT_MAX_EXPANDED_NODES = 200_000;

    private final int maxCodePoints;
    private final long maxExpandedNodes;
    private final long maxExpandedChars;

    /** @param maxFileBytes the largest document accepted; its expansion may be at most 8 times that */
    public SafeYaml(long maxFileBytes) {
        this.maxCodePoints = (int) Math.min(Integer.MAX_VALUE, Math.max(1, maxFileBytes));
        this.maxExpandedNodes = DEFAULT_MAX_EXPANDED_NODES;
        this.maxExpandedChars = Math.max(1L << 20, 8 * maxFileBytes);
    }

    /**
     * Parses one YAML document.
     *
     * @param file the file name used in error messages
     * @throws OutputException naming the file when the YAML is invalid or exceeds a limit
     */
    public Object load(String file, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(DEFAULT_MAX_ALIASES);
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(DEFAULT_MAX_DEPTH);
        options.setCodePointLimit(maxCodePoints);
        DumperOptions dumper = new DumperOptions();
        Yaml yaml = new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options);
        Object document;
        try {
            document = yaml.load(text);
        } catch (YAMLException e) {
            throw new OutputException(file, "invalid YAML: " + describe(e), e);
        } catch (StackOverflowError e) {
            throw new OutputException(file, "invalid YAML: nested too deeply");
        }
        new Expansion(file).measure(document, 0);
        return document;
    }

    private static String describe(YAMLException e) {
        if (e instanceof MarkedYAMLException) {
            MarkedYAMLException marked = (MarkedYAMLException) e;
            Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
            StringBuilder text = new StringBuilder(marked.getProblem() != null ? marked.getProblem() : "parse error");
            if (mark != null) {
                text.append(" at line ")
                        .append(mark.getLine() + 1)
                        .append(", column ")
                        .append(mark.getColumn() + 1);
            }
            if (marked.getContext() != null) {
                text.append(" (").append(marked.getContext()).append(')');
            }
            return firstLines(text.toString());
        }
        return firstLines(e.getMessage());
    }

    private static String firstLines(String message) {
        if (message == null) {
            return "parse error";
        }
        String[] lines = message.strip().split("\n");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(4, lines.length); i++) {
            if (i > 0) {
                out.append(' ');
            }
            out.append(lines[i].strip());
        }
        return out.length() > 400 ? out.substring(0, 400) + "…" : out.toString();
    }

    /** Counts what the document expands to, sharing the count of aliased collections. */
    private final class Expansion {
        private final String file;
        private final Map<Object, long[]> done = new IdentityHashMap<>();
        private final Map<Object, Boolean> inProgress = new IdentityHashMap<>();
        private long nodes;
        private long chars;

        Expansion(String file) {
            this.file = file;
        }

        void measure(Object node, int depth) {
            if (depth > DEFAULT_MAX_DEPTH) {
                throw new OutputException(file, "YAML nested more than " + DEFAULT_MAX_DEPTH + " levels deep");
            }
            if (node instanceof Map || node instanceof Collection) {
                long[] seen = done.get(node);
                if (seen != null) {
                    add(seen[0], seen[1]);
                    return;
                }
                if (inProgress.put(node, Boolean.TRUE) != null) {
                    throw new OutputException(file, "YAML contains a recursive alias");
                }
                long nodesBefore = nodes;
                long charsBefore = chars;
                add(1, 2);
                if (node instanceof Map) {
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
                        measure(e.getKey(), depth + 1);
                        measure(e.getValue(), depth + 1);
                    }
                } else {
                    for (Object child : (Collection<?>) node) {
                        measure(child, depth + 1);
                    }
                }
                inProgress.remove(node);
                done.put(node, new long[] {nodes - nodesBefore, chars - charsBefore});
                return;
            }
            add(1, node == null ? 4 : String.valueOf(node).length() + 2);
        }

        private void add(long n, long c) {
            nodes += n;
            chars += c;
            if (nodes > maxExpandedNodes || nodes < 0) {
                throw new OutputException(
                        file,
                        "YAML expands to more than " + maxExpandedNodes
                                + " nodes (aliases/anchors used as an expansion bomb?)");
            }
            if (chars > maxExpandedChars || chars < 0) {
                throw new OutputException(
                        file,
                        "YAML expands to more than " + maxExpandedChars
                                + " characters (aliases/anchors used as an expansion bomb?)");
            }
        }
    }
}
