package io.fondation.clibridge.output;

import io.fondation.shared.Document;
import java.util.List;

/**
 * The documents read from an output directory, in reading order (YAML steps 1 to 3, chapters by
 * numeric index, reviewed chapters, tutorials), and notes about files that were skipped.
 */
public record CollectedOutput(List<Document> documents, List<String> warnings) {

    public CollectedOutput {
        documents = List.copyOf(documents);
        warnings = List.copyOf(warnings);
    }
}
