package io.fondation.worker.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4) and the lint rules of
 * {@code promtool check metrics}, for the tests that must hold where promtool is not installed. No Java library
 * on Maven Central parses this format (the Prometheus Java clients only write it), so it is written here from the
 * format's specification:
 * <ul>
 *   <li>syntax: {@code # HELP name text}, {@code # TYPE name type}, other comments, and samples
 *       {@code name{label="value",...} value [timestamp]} with the format's escapes and float values
 *       ({@code NaN}, {@code +Inf}, {@code -Inf});
 *   <li>structure: one HELP and one TYPE per family, TYPE before the family's first sample, every line of a family
 *       in one group, no series twice, histogram buckets ascending and cumulative up to {@code +Inf}, which equals
 *       {@code _count};
 *   <li>promtool's lint rules: help text, {@code _total} only and always on counters, base units, no abbreviated
 *       units, no type in the name, no {@code :}, snake_case, {@code le}/{@code quantile}/{@code _bucket}/
 *       {@code _count}/{@code _sum} only where histograms and summaries put them.
 * </ul>
 * {@link #parse} throws on the first syntax or structure error; {@link Exposition#lint()} lists the lint problems
 * in promtool's words.
 */
public final class PrometheusText {

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern CAMEL_CASE = Pattern.compile("[a-z][A-Z]");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final Set<String> UNIT_ABBREVIATIONS =
            Set.of("s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d");
    private static final Set<String> BASE_UNITS =
            Set.of("amperes", "bytes", "celsius", "grams", "joules", "kelvin", "meters", "metres", "seconds", "volts");
    private static final Set<String> UNIT_PREFIXES = Set.of(
            "pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega", "mibi", "giga",
            "gibi", "tera", "tebi", "peta", "pebi");
    private static final Map<String, String> NOT_BASE_UNITS =
            Map.of("minutes", "seconds", "hours", "seconds", "days", "seconds", "weeks", "seconds", "bits", "bytes");

    private PrometheusText() {}

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** A metric family: its HELP, TYPE and samples, in the order they came. */
    public record Family(String name, String type, String help, List<Sample> samples) {}

    /** A parsed exposition. */
    public record Exposition(Map<String, Family> families) {

        /** The family, which must be there. */
        public Family family(String name) {
            Family family = families.get(name);
            if (family == null) {
                throw new AssertionError("no metric family " + name + " in " + families.keySet());
            }
            return family;
        }

        /** The value of the sample with exactly these labels, which must be there. */
        public double value(String sampleName, Map<String, String> labels) {
            for (Family family : families.values()) {
                for (Sample sample : family.samples()) {
                    if (sample.name().equals(sampleName) && sample.labels().equals(labels)) {
                        return sample.value();
                    }
                }
            }
            throw new AssertionError("no sample " + sampleName + labels);
        }

        /** The value of the sample without labels. */
        public double value(String sampleName) {
            return value(sampleName, Map.of());
        }

        /** The problems {@code promtool check metrics} would report, one line each ({@code name message}). */
        public List<String> lint() {
            List<String> problems = new ArrayList<>();
            families.values().forEach(family -> lintFamily(family, problems));
            return problems;
        }
    }

    /**
     * Reads an exposition.
     *
     * @throws IllegalArgumentException naming the line of the first syntax or structure error
     */
    public static Exposition parse(String text) {
        Objects.requireNonNull(text, "text");
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        Reader reader = new Reader();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            try {
                reader.line(lines[i]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage() + ": " + lines[i], e);
            }
        }
        reader.families.values().forEach(PrometheusText::checkHistogram);
        return new Exposition(reader.families);
    }

    // ---------------------------------------------------------------- reading

    private static final class Reader {
        private final Map<String, Family> families = new LinkedHashMap<>();
        private final Map<String, String> helps = new LinkedHashMap<>();
        private final Map<String, String> types = new LinkedHashMap<>();
        private final Set<String> closed = new LinkedHashSet<>();
        private final Set<String> series = new LinkedHashSet<>();
        private String current;

        void line(String line) {
            if (line.isBlank()) {
                return;
            }
            if (line.startsWith("#")) {
                comment(line);
                return;
            }
            sample(line);
        }

        private void comment(String line) {
            String[] parts = line.substring(1).stripLeading().split(" ", 3);
            if (parts.length < 2 || !(parts[0].equals("HELP") || parts[0].equals("TYPE"))) {
                return; // an ordinary comment
            }
            String name = parts[1];
            requireName(name);
            enter(name);
            String rest = parts.length == 3 ? parts[2] : "";
            if (parts[0].equals("HELP")) {
                if (helps.putIfAbsent(name, unescapeHelp(rest)) != null) {
                    throw new IllegalArgumentException("second HELP line for metric name " + name);
                }
            } else {
                if (!TYPES.contains(rest.trim())) {
                    throw new IllegalArgumentException("unknown metric type '" + rest + "'");
                }
                if (types.putIfAbsent(name, rest.trim()) != null) {
                    throw new IllegalArgumentException("second TYPE line for metric name " + name);
                }
                if (!family(name).samples().isEmpty()) {
                    throw new IllegalArgumentException("TYPE line for " + name + " after its samples");
                }
            }
            families.put(name, new Family(name, types.getOrDefault(name, "untyped"), helps.get(name), samples(name)));
        }

        private void sample(String line) {
            int i = 0;
            while (i < line.length()
                    && (Character.isLetterOrDigit(line.charAt(i)) || "_:".indexOf(line.charAt(i)) >= 0)) {
                i++;
            }
            String name = line.substring(0, i);
            requireName(name);
            Map<String, String> labels = new TreeMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i = labels(line, i + 1, labels);
            }
            String[] rest = line.substring(i).trim().split("[ \t]+");
            if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
                throw new IllegalArgumentException("expected a value and an optional timestamp");
            }
            double value = value(rest[0]);
            if (rest.length == 2) {
                try {
                    Long.parseLong(rest[1]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("timestamp '" + rest[1] + "' is not an integer", e);
                }
            }
            String familyName = familyOf(name);
            enter(familyName);
            if (!series.add(name + labels)) {
                throw new IllegalArgumentException("second sample of series " + name + labels);
            }
            Family family = family(familyName);
            family.samples().add(new Sample(name, Map.copyOf(labels), value));
        }

        /** The family a sample belongs to: a histogram's or summary's suffixed samples belong to the base name. */
        private String familyOf(String sampleName) {
            for (String suffix : List.of("_bucket", "_count", "_sum")) {
                if (sampleName.endsWith(suffix)) {
                    String base = sampleName.substring(0, sampleName.length() - suffix.length());
                    String type = types.get(base);
                    if ("histogram".equals(type) || "summary".equals(type) && !suffix.equals("_bucket")) {
                        return base;
                    }
                }
            }
            return sampleName;
        }

        private void enter(String name) {
            if (name.equals(current)) {
                return;
            }
            if (closed.contains(name)) {
                throw new IllegalArgumentException("the lines of metric family " + name + " are not in one group");
            }
            if (current != null) {
                closed.add(current);
            }
            current = name;
        }

        private Family family(String name) {
            return families.computeIfAbsent(
                    name, n -> new Family(n, types.getOrDefault(n, "untyped"), helps.get(n), new ArrayList<>()));
        }

        private List<Sample> samples(String name) {
            Family existing = families.get(name);
            return existing == null ? new ArrayList<>() : existing.samples();
        }
    }

    private static int labels(String line, int start, Map<String, String> labels) {
        int i = start;
        while (true) {
            if (i >= line.length()) {
                throw new IllegalArgumentException("unterminated label set");
            }
            if (line.charAt(i) == '}') {
                return i + 1;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0) {
                throw new IllegalArgumentException("label without '='");
            }
            String name = line.substring(i, eq);
            if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
                throw new IllegalArgumentException("invalid label name '" + name + "'");
            }
            if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                throw new IllegalArgumentException("label value of " + name + " is not quoted");
            }
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            while (true) {
                if (j >= line.length()) {
                    throw new IllegalArgumentException("unterminated label value of " + name);
                }
                char c = line.charAt(j);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    if (j + 1 >= line.length()) {
                        throw new IllegalArgumentException("dangling escape in label " + name);
                    }
                    char escaped = line.charAt(++j);
                    switch (escaped) {
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        case 'n' -> value.append('\n');
                        default ->
                            throw new IllegalArgumentException("invalid escape \\" + escaped + " in label " + name);
                    }
                } else {
                    value.append(c);
                }
                j++;
            }
            if (labels.put(name, value.toString()) != null) {
                throw new IllegalArgumentException("label " + name + " twice");
            }
            i = j + 1;
            if (i < line.length() && line.charAt(i) == ',') {
                i++;
            } else if (i < line.length() && line.charAt(i) != '}') {
                throw new IllegalArgumentException("expected ',' or '}' after label " + name);
            }
        }
    }

    private static double value(String text) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!text.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                    throw new IllegalArgumentException("value '" + text + "' is not a float");
                }
                return Double.parseDouble(text);
        }
    }

    private static void requireName(String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid metric name '" + name + "'");
        }
    }

    /** HELP text escapes only {@code \\} and {@code \n}. */
    private static String unescapeHelp(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char next = i + 1 < text.length() ? text.charAt(++i) : ' ';
            switch (next) {
                case '\\' -> out.append('\\');
                case 'n' -> out.append('\n');
                default -> throw new IllegalArgumentException("invalid escape \\" + next + " in HELP text");
            }
        }
        return out.toString();
    }

    /** Buckets of each series ascend in {@code le}, are cumulative, end at +Inf and +Inf equals {@code _count}. */
    private static void checkHistogram(Family family) {
        if (!family.type().equals("histogram")) {
            return;
        }
        Map<Map<String, String>, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample sample : family.samples()) {
            Map<String, String> series = new TreeMap<>(sample.labels());
            if (sample.name().endsWith("_bucket")) {
                String le = series.remove("le");
                if (le == null) {
                    throw new IllegalArgumentException(sample.name() + " without an le label");
                }
                TreeMap<Double, Double> byBound = buckets.computeIfAbsent(series, s -> new TreeMap<>());
                double bound = value(le);
                if (!byBound.isEmpty() && bound <= byBound.lastKey()) {
                    throw new IllegalArgumentException(family.name() + series + ": le=" + le + " is not ascending");
                }
                byBound.put(bound, sample.value());
            } else if (sample.name().endsWith("_count")) {
                counts.put(series, sample.value());
            }
        }
        buckets.forEach((series, byBound) -> {
            double previous = 0;
            for (Map.Entry<Double, Double> bucket : byBound.entrySet()) {
                if (bucket.getValue() < previous) {
                    throw new IllegalArgumentException(
                            family.name() + series + ": bucket le=" + bucket.getKey() + " is not cumulative");
                }
                previous = bucket.getValue();
            }
            if (byBound.lastKey() != Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException(family.name() + series + " has no le=\"+Inf\" bucket");
            }
            if (!Objects.equals(counts.get(series), byBound.get(Double.POSITIVE_INFINITY))) {
                throw new IllegalArgumentException(family.name() + series + ": the +Inf bucket is not _count");
            }
        });
    }

    // ---------------------------------------------------------------- promtool's lint rules

    private static void lintFamily(Family family, List<String> problems) {
        String name = family.name();
        String type = family.type();
        if (family.help() == null || family.help().isBlank()) {
            problems.add(name + " no help text");
        }
        if (type.equals("counter") && !name.endsWith("_total")) {
            problems.add(name + " counter metrics should have \"_total\" suffix");
        }
        if (!type.equals("counter") && !type.equals("untyped") && name.endsWith("_total")) {
            problems.add(name + " non-counter metrics should not have \"_total\" suffix");
        }
        if (!type.equals("histogram")) {
            if (name.endsWith("_bucket")) {
                problems.add(name + " non-histogram metrics should not have \"_bucket\" suffix");
            }
            if (family.samples().stream().anyMatch(s -> s.labels().containsKey("le"))) {
                problems.add(name + " non-histogram metrics should not have \"le\" label");
            }
        }
        if (!type.equals("summary")
                && family.samples().stream().anyMatch(s -> s.labels().containsKey("quantile"))) {
            problems.add(name + " non-summary metrics should not have \"quantile\" label");
        }
        if (!type.equals("histogram") && !type.equals("summary")) {
            if (name.endsWith("_count")) {
                problems.add(name + " non-histogram and non-summary metrics should not have \"_count\" suffix");
            }
            if (name.endsWith("_sum")) {
                problems.add(name + " non-histogram and non-summary metrics should not have \"_sum\" suffix");
            }
        }
        List<String> tokens = List.of(name.toLowerCase(Locale.ROOT).split("_"));
        for (String token : tokens) {
            if (UNIT_ABBREVIATIONS.contains(token)) {
                problems.add(name + " metric names should not contain abbreviated units");
                break;
            }
        }
        for (String token : tokens) {
            if (NOT_BASE_UNITS.containsKey(token)) {
                problems.add(
                        name + " use base unit \"" + NOT_BASE_UNITS.get(token) + "\" instead of \"" + token + "\"");
            }
            for (String prefix : UNIT_PREFIXES) {
                if (token.startsWith(prefix) && BASE_UNITS.contains(token.substring(prefix.length()))) {
                    problems.add(name + " use base unit \"" + token.substring(prefix.length()) + "\" instead of \""
                            + token + "\"");
                }
            }
        }
        for (String typeName : TYPES) {
            if (tokens.contains(typeName) && !type.equals("untyped")) {
                problems.add(name + " metric name should not include type '" + typeName + "'");
            }
        }
        if (name.contains(":")) {
            problems.add(name + " metric names should not contain ':'");
        }
        if (CAMEL_CASE.matcher(name).find()) {
            problems.add(name + " metric names should be written in 'snake_case' not 'camelCase'");
        }
        family.samples().stream()
                .flatMap(s -> s.labels().keySet().stream())
                .distinct()
                .filter(label -> CAMEL_CASE.matcher(label).find())
                .forEach(
                        label -> problems.add(name + " label names should be written in 'snake_case' not 'camelCase'"));
    }
}
