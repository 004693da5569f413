package io.fondation.clibridge.output;

import java.util.List;

/**
 * One entry of {@code step1_abstractions.yaml}.
 *
 * @param name the abstraction's name
 * @param description what it is
 * @param filePaths the files it lives in
 */
public record Abstraction(String name, String description, List<String> filePaths) {

    public Abstraction {
        filePaths = List.copyOf(filePaths);
    }
}
