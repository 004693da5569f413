package io.fondation.clibridge.resume;

import java.util.LinkedHashMap;
import java.util.Map;

/** The output of a three-chapter analysis, file by file, as the tests below combine it. */
final class Layout {

    static final String STEP1 = "step1_abstractions.yaml";
    static final String STEP2 = "step2_relationships.yaml";
    static final String STEP3 = "step3_order.yaml";

    private Layout() {}

    static String step1() {
        return """
                - name: Queue
                  description: Holds jobs.
                  file_paths: [src/queue.ts]
                - name: Worker
                  description: Runs jobs.
                  file_paths: [src/worker.ts]
                - name: Analyzer
                  description: Writes courses.
                  file_paths: [src/analyzer.ts]
                """;
    }

    static String step2() {
        return """
                summary: A worker runs jobs from a queue.
                relationships:
                  - from_abstraction: 1
                    to_abstraction: 0
                    label: Claims from
                """;
    }

    static String step3() {
        return """
                order:
                  - index: 0
                    name: Queue
                  - index: 1
                    name: Worker
                  - index: 2
                    name: Analyzer
                """;
    }

    static final String[] NAMES = {"queue", "worker", "analyzer"};

    static String chapter(int n) {
        return "chapters/chapter_" + n + "_" + NAMES[n - 1] + ".md";
    }

    static String reviewed(int n) {
        return "reviewed-chapters/chapter_" + n + "_" + NAMES[n - 1] + ".md";
    }

    static String tutorial(int n) {
        return "tutorials/tutorial_" + n + "_" + NAMES[n - 1] + ".md";
    }

    /** Steps 1 to {@code lastStep}, every file of them. */
    static Map<String, String> upTo(int lastStep) {
        Map<String, String> files = new LinkedHashMap<>();
        if (lastStep >= 1) {
            files.put(STEP1, step1());
        }
        if (lastStep >= 2) {
            files.put(STEP2, step2());
        }
        if (lastStep >= 3) {
            files.put(STEP3, step3());
        }
        for (int n = 1; n <= 3; n++) {
            if (lastStep >= 4) {
                files.put(chapter(n), "# Chapter " + n + ": " + NAMES[n - 1] + "\n\nText " + n + ".\n");
            }
            if (lastStep >= 5) {
                files.put(reviewed(n), "# Chapter " + n + ": " + NAMES[n - 1] + "\n\nBetter text " + n + ".\n");
            }
            if (lastStep >= 6) {
                files.put(tutorial(n), "# Interactive Tutorial: " + NAMES[n - 1] + "\n\nTry " + n + ".\n");
            }
        }
        return files;
    }
}
