package io.fondation.clibridge.output;

import io.fondation.shared.Document;
import java.util.List;

/**
 * What could be read from an output directory even though some files were bad: the good
 * documents, benign warnings, and the problems (each naming a file) that a strict collection
 * would have failed on.
 */
public record PartialOutput(List<Document> documents, List<String> warnings, List<OutputException> problems) {

    public PartialOutput {
        documents = List.copyOf(documents);
        warnings = List.copyOf(warnings);
        problems = List.copyOf(problems);
    }
}
