package io.fondation.clibridge.output;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the loaded YAML of steps 1 to 3 onto typed records and validates them; errors name the
 * file and the field, e.g. {@code step2_relationships.yaml: relationships[3].to_abstraction: ...}.
 */
public final class StepFiles {

    public static final String ABSTRACTIONS = "step1_abstractions.yaml";
    public static final String RELATIONSHIPS = "step2_relationships.yaml";
    public static final String ORDER = "step3_order.yaml";

    /** An index written as {@code 3} or {@code "3 # Name"}. */
    private static final Pattern INDEX_REF = Pattern.compile("^\\s*(\\d{1,9})\\s*(?:#.*)?$");

    private StepFiles() {}

    /** Step 1: a list of {@code {name, description, file_paths}} (or a map with an {@code abstractions} list). */
    public static List<Abstraction> abstractions(Object document) {
        String file = ABSTRACTIONS;
        Object list = document;
        String prefix = "";
        if (document instanceof Map && ((Map<?, ?>) document).containsKey("abstractions")) {
            list = ((Map<?, ?>) document).get("abstractions");
            prefix = "abstractions";
        }
        List<?> entries = asList(file, prefix.isEmpty() ? "(document)" : prefix, list);
        List<Abstraction> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String at = prefix + "[" + i + "]";
            Map<?, ?> entry = asMap(file, at, entries.get(i));
            String name = requiredText(file, at + ".name", entry.get("name"));
            String description = optionalText(file, at + ".description", entry.get("description"));
            Object paths = entry.containsKey("file_paths") ? entry.get("file_paths") : entry.get("files");
            List<String> filePaths = new ArrayList<>();
            if (paths != null) {
                String pathsAt = at + (entry.containsKey("file_paths") ? ".file_paths" : ".files");
                List<?> raw = asList(file, pathsAt, paths);
                for (int j = 0; j < raw.size(); j++) {
                    filePaths.add(requiredText(file, pathsAt + "[" + j + "]", raw.get(j)));
                }
            }
            out.add(new Abstraction(name, description, filePaths));
        }
        return out;
    }

    /** Step 2: {@code {summary, relationships: [{from_abstraction, to_abstraction, label, evidence}]}}. */
    public static Relationships relationships(Object document) {
        String file = RELATIONSHIPS;
        Map<?, ?> root = asMap(file, "(document)", document);
        String summary = optionalText(file, "summary", root.get("summary"));
        if (!root.containsKey("relationships")) {
            throw new OutputException(file, "relationships: missing");
        }
        List<?> entries = asList(file, "relationships", root.get("relationships"));
        List<Relationship> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String at = "relationships[" + i + "]";
            Map<?, ?> entry = asMap(file, at, entries.get(i));
            int from = index(file, at + ".from_abstraction", first(entry, "from_abstraction", "from"));
            int to = index(file, at + ".to_abstraction", first(entry, "to_abstraction", "to"));
            String label = requiredText(file, at + ".label", entry.get("label"));
            String evidence = optionalText(file, at + ".evidence", entry.get("evidence"));
            out.add(new Relationship(from, to, label, evidence));
        }
        return new Relationships(summary, out);
    }

    /** Step 3: {@code {order: [{index, name, reasoning}]}} (entries may also be plain indices). */
    public static ChapterOrder order(Object document) {
        String file = ORDER;
        Object list = document;
        String prefix = "";
        if (document instanceof Map) {
            Map<?, ?> root = (Map<?, ?>) document;
            if (!root.containsKey("order")) {
                throw new OutputException(file, "order: missing");
            }
            list = root.get("order");
            prefix = "order";
        }
        List<?> entries = asList(file, prefix.isEmpty() ? "(document)" : prefix, list);
        List<ChapterOrderEntry> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String at = prefix + "[" + i + "]";
            Object raw = entries.get(i);
            ChapterOrderEntry entry;
            if (raw instanceof Map) {
                Map<?, ?> map = (Map<?, ?>) raw;
                entry = new ChapterOrderEntry(
                        index(file, at + ".index", map.get("index")),
                        optionalText(file, at + ".name", map.get("name")),
                        optionalText(file, at + ".reasoning", map.get("reasoning")));
            } else {
                entry = new ChapterOrderEntry(index(file, at, raw), referenceName(raw), "");
            }
            if (!seen.add(entry.index())) {
                throw new OutputException(file, at + ".index: " + entry.index() + " appears more than once");
            }
            out.add(entry);
        }
        return new ChapterOrder(out);
    }

    /** Checks that relationships and the order point at existing abstractions. */
    public static void crossCheck(List<Abstraction> abstractions, Relationships relationships, ChapterOrder order) {
        if (abstractions == null) {
            return;
        }
        int n = abstractions.size();
        if (relationships != null) {
            for (int i = 0; i < relationships.relationships().size(); i++) {
                Relationship r = relationships.relationships().get(i);
                checkIndex(RELATIONSHIPS, "relationships[" + i + "].from_abstraction", r.fromAbstraction(), n);
                checkIndex(RELATIONSHIPS, "relationships[" + i + "].to_abstraction", r.toAbstraction(), n);
            }
        }
        if (order != null) {
            for (int i = 0; i < order.order().size(); i++) {
                checkIndex(ORDER, "order[" + i + "].index", order.order().get(i).index(), n);
            }
        }
    }

    private static void checkIndex(String file, String field, int index, int count) {
        if (index >= count) {
            throw new OutputException(
                    file,
                    field + ": " + index + " is not an abstraction index ("
                            + (count == 0 ? "step 1 lists none" : "0.." + (count - 1)) + " in " + ABSTRACTIONS + ")");
        }
    }

    private static Object first(Map<?, ?> map, String key, String fallback) {
        return map.containsKey(key) ? map.get(key) : map.get(fallback);
    }

    private static int index(String file, String field, Object value) {
        if (value == null) {
            throw new OutputException(file, field + ": missing");
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            BigInteger big = new BigInteger(value.toString());
            if (big.signum() < 0 || big.bitLength() > 31) {
                throw new OutputException(file, field + ": " + value + " is not a valid index");
            }
            return big.intValue();
        }
        if (value instanceof String) {
            Matcher m = INDEX_REF.matcher((String) value);
            if (m.matches()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new OutputException(file, field + ": expected an index (a whole number >= 0), got " + describe(value));
    }

    private static String referenceName(Object raw) {
        if (raw instanceof String) {
            int hash = ((String) raw).indexOf('#');
            return hash >= 0 ? ((String) raw).substring(hash + 1).trim() : "";
        }
        return "";
    }

    private static List<?> asList(String file, String field, Object value) {
        if (value instanceof List) {
            return (List<?>) value;
        }
        throw new OutputException(file, field + ": expected a list, got " + describe(value));
    }

    private static Map<?, ?> asMap(String file, String field, Object value) {
        if (value instanceof Map) {
            return (Map<?, ?>) value;
        }
        throw new OutputException(file, field + ": expected a mapping, got " + describe(value));
    }

    private static String requiredText(String file, String field, Object value) {
        String text = optionalText(file, field, value);
        if (value == null) {
            throw new OutputException(file, field + ": missing");
        }
        if (text.isBlank()) {
            throw new OutputException(file, field + ": must not be blank");
        }
        return text;
    }

    private static String optionalText(String file, String field, Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Map || value instanceof Collection || value instanceof byte[]) {
            throw new OutputException(file, field + ": expected text, got " + describe(value));
        }
        return String.valueOf(value).strip();
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof Collection) {
            return "a list";
        }
        String text = String.valueOf(value);
        return (value instanceof String ? "text '" : "the value '")
                + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'";
    }
}
