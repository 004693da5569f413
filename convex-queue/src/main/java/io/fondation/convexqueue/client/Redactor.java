package io.fondation.convexqueue.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Removes secrets from text a deployment sends back (error messages quote arguments): the
 * credential in the {@code Authorization} header and every string argument whose field name
 * contains {@code secret}, {@code token}, {@code key}, {@code password} or {@code credential}.
 */
final class Redactor {

    static final String MASK = "[redacted]";
    private static final List<String> SECRET_NAMES = List.of("secret", "token", "key", "password", "credential");
    // Shorter values would mask ordinary words; real secrets are longer.
    private static final int MIN_SECRET_LENGTH = 4;

    private final List<String> secrets;

    private Redactor(List<String> secrets) {
        this.secrets = secrets;
    }

    static Redactor forCall(String authorization, JsonNode encodedArgs) {
        List<String> secrets = new ArrayList<>();
        if (authorization != null) {
            int space = authorization.indexOf(' ');
            secrets.add(space < 0 ? authorization : authorization.substring(space + 1));
        }
        collect(encodedArgs, false, secrets);
        secrets.removeIf(s -> s.length() < MIN_SECRET_LENGTH);
        // Longest first, so a secret containing another is masked whole.
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        return new Redactor(List.copyOf(secrets));
    }

    private static void collect(JsonNode node, boolean secretField, List<String> out) {
        if (node == null) {
            return;
        }
        if (node.isTextual() && secretField) {
            out.add(node.textValue());
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                collect(element, secretField, out);
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                collect(field.getValue(), secretField || isSecretName(field.getKey()), out);
            }
        }
    }

    static boolean isSecretName(String fieldName) {
        String lower = fieldName.toLowerCase(Locale.ROOT);
        for (String name : SECRET_NAMES) {
            if (lower.contains(name)) {
                return true;
            }
        }
        return false;
    }

    String apply(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        return result;
    }

    JsonNode apply(JsonNode node) {
        if (node == null || secrets.isEmpty()) {
            return node;
        }
        if (node.isTextual()) {
            return JsonNodeFactory.instance.textNode(apply(node.textValue()));
        }
        if (node.isArray()) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode(node.size());
            node.forEach(element -> array.add(apply(element)));
            return array;
        }
        if (node.isObject()) {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            node.properties().forEach(field -> object.set(field.getKey(), apply(field.getValue())));
            return object;
        }
        return node;
    }
}
