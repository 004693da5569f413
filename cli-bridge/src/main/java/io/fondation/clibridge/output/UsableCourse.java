package io.fondation.clibridge.output;

import io.fondation.shared.Document;
import io.fondation.shared.DocumentKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rule that decides whether a course from which bad files were left out is still worth completing: it has
 * the three step files ({@link StepFiles#ABSTRACTIONS}, {@link StepFiles#RELATIONSHIPS}, {@link StepFiles#ORDER})
 * and at least one chapter (in {@code chapters/} or {@code reviewed-chapters/}). Missing tutorials are fine.
 */
public final class UsableCourse {

    private UsableCourse() {}

    /**
     * What the course lacks to be usable.
     *
     * @return empty when usable, else the missing parts in words ({@code "step3_order.yaml"}, {@code "a chapter"})
     */
    public static List<String> missing(List<Document> documents) {
        Set<String> slugs = documents.stream().map(Document::slug).collect(Collectors.toSet());
        List<String> missing = new ArrayList<>();
        for (String step : List.of(StepFiles.ABSTRACTIONS, StepFiles.RELATIONSHIPS, StepFiles.ORDER)) {
            if (!slugs.contains(step)) {
                missing.add(step);
            }
        }
        if (documents.stream().noneMatch(document -> document.kind() == DocumentKind.CHAPTER)) {
            missing.add("a chapter");
        }
        return missing;
    }
}
