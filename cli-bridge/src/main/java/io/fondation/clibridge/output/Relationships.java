package io.fondation.clibridge.output;

import java.util.List;

/**
 * The content of {@code step2_relationships.yaml}.
 *
 * @param summary the project summary
 * @param relationships the relationships between abstractions
 */
public record Relationships(String summary, List<Relationship> relationships) {

    public Relationships {
        relationships = List.copyOf(relationships);
    }
}
