package io.fondation.clibridge.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tool call the scripted model makes: a {@code tool_use} block with a name and its input.
 *
 * @param name the tool, e.g. {@code Write}
 * @param input its input, sent as JSON
 */
public record ToolCall(String name, Map<String, Object> input) {

    public ToolCall {
        input = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(input));
    }

    /** {@code Write} of {@code content} to {@code file} (the path is sent as given: absolute or not). */
    public static ToolCall write(Path file, String content) {
        return write(file.toString(), content);
    }

    /** {@code Write} with the path exactly as given, for paths the CLI must resolve itself. */
    public static ToolCall write(String file, String content) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("file_path", file);
        input.put("content", content);
        return new ToolCall("Write", input);
    }

    /** {@code Edit} of {@code file}: {@code oldText} becomes {@code newText}. */
    public static ToolCall edit(Path file, String oldText, String newText) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("file_path", file.toString());
        input.put("old_string", oldText);
        input.put("new_string", newText);
        return new ToolCall("Edit", input);
    }

    /** {@code Read} of {@code file}. */
    public static ToolCall read(Path file) {
        return new ToolCall("Read", Map.of("file_path", file.toString()));
    }

    /** {@code Glob} of {@code pattern} in the working directory. */
    public static ToolCall glob(String pattern) {
        return new ToolCall("Glob", Map.of("pattern", pattern));
    }

    /** {@code Grep} of {@code pattern} in the working directory. */
    public static ToolCall grep(String pattern) {
        return new ToolCall("Grep", Map.of("pattern", pattern));
    }
}
