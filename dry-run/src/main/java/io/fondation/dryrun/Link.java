package io.fondation.dryrun;

import java.util.List;

/**
 * A link between two abstractions found in the files.
 *
 * @param from index of the abstraction whose files refer to the other one
 * @param to index of the abstraction referred to
 * @param label {@value #DEPENDS_ON}, {@value #DESCRIBES} or {@value #CONFIGURES}
 * @param count how many references were found
 * @param examples a few of them, in file order
 */
public record Link(int from, int to, String label, int count, List<Reference> examples) {

    /** Code in {@code from} imports code in {@code to}. */
    public static final String DEPENDS_ON = "Depends on";
    /** Documentation at the root mentions the directory. */
    public static final String DESCRIBES = "Describes";
    /** A build or configuration file at the root names the directory. */
    public static final String CONFIGURES = "Configures";

    public Link {
        examples = List.copyOf(examples);
    }

    /** Whether this is a code dependency (which decides the chapter order). */
    public boolean isDependency() {
        return DEPENDS_ON.equals(label);
    }

    /**
     * One reference.
     *
     * @param file the file that refers (path relative to the repository)
     * @param line the referring line, trimmed
     * @param target what it names: a package, a path, a module
     */
    public record Reference(String file, String line, String target) {}

    /** "12 references, e.g. a/B.java: import x.Y;" */
    public String evidence() {
        StringBuilder out = new StringBuilder();
        out.append(count).append(count == 1 ? " reference" : " references");
        if (!examples.isEmpty()) {
            out.append(", e.g. ");
            for (int i = 0; i < examples.size(); i++) {
                if (i > 0) {
                    out.append(" | ");
                }
                out.append(examples.get(i).file())
                        .append(": ")
                        .append(examples.get(i).line());
            }
        }
        return out.toString();
    }
}
