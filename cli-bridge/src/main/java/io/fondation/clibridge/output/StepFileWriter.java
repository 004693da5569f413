package io.fondation.clibridge.output;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes the three step files of the Fondation CLI's output layout from the same types {@link StepFiles} reads
 * them into, so whatever one writes the other reads back unchanged. YAML goes through SnakeYAML, so it is valid
 * whatever names and lines contain.
 */
public final class StepFileWriter {

    private final String headerComment;
    private final String generator;
    private final Yaml yaml;

    /**
     * @param headerComment a comment written at the top of each file (without the {@code #}), or {@code null}
     * @param generator a {@code generator} field added to the root of the step 2 and 3 files, or {@code null}
     */
    public StepFileWriter(String headerComment, String generator) {
        this.headerComment = headerComment;
        this.generator = generator;
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        options.setWidth(120);
        options.setAllowUnicode(true);
        this.yaml = new Yaml(options);
    }

    /** {@value StepFiles#ABSTRACTIONS}: a list of {@code {name, description, file_paths}}. */
    public String abstractions(List<Abstraction> abstractions) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Abstraction abstraction : abstractions) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("name", abstraction.name());
            item.put("description", abstraction.description());
            item.put("file_paths", abstraction.filePaths());
            items.add(item);
        }
        return document(items);
    }

    /**
     * {@value StepFiles#RELATIONSHIPS}: {@code {summary, relationships: [{from_abstraction, to_abstraction, label,
     * evidence}]}}.
     */
    public String relationships(Relationships relationships) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Relationship relationship : relationships.relationships()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("from_abstraction", relationship.fromAbstraction());
            item.put("to_abstraction", relationship.toAbstraction());
            item.put("label", relationship.label());
            item.put("evidence", relationship.evidence());
            items.add(item);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("summary", relationships.summary());
        root.put("relationships", items);
        return document(withGenerator(root));
    }

    /** {@value StepFiles#ORDER}: {@code {order: [{index, name, reasoning}]}}. */
    public String order(ChapterOrder order) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (ChapterOrderEntry entry : order.order()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("index", entry.index());
            item.put("name", entry.name());
            item.put("reasoning", entry.reasoning());
            items.add(item);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("order", items);
        return document(withGenerator(root));
    }

    private Map<String, Object> withGenerator(Map<String, Object> root) {
        if (generator != null) {
            root.put("generator", generator);
        }
        return root;
    }

    private String document(Object content) {
        String header = headerComment == null ? "" : "# " + headerComment + "\n";
        return header + yaml.dump(content);
    }
}
