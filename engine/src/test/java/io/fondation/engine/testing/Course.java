package io.fondation.engine.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The output of a three-chapter analysis in the Fondation CLI's layout, file by file, step by step (the files the
 * engine's resume tests write and checkpoint).
 */
public final class Course {

    public static final String STEP1 = "step1_abstractions.yaml";
    public static final String STEP2 = "step2_relationships.yaml";
    public static final String STEP3 = "step3_order.yaml";

    private static final String[] NAMES = {"queue", "worker", "analyzer"};

    private Course() {}

    public static String chapter(int n) {
        return "chapters/chapter_" + n + "_" + NAMES[n - 1] + ".md";
    }

    public static String reviewed(int n) {
        return "reviewed-chapters/chapter_" + n + "_" + NAMES[n - 1] + ".md";
    }

    public static String tutorial(int n) {
        return "tutorials/tutorial_" + n + "_" + NAMES[n - 1] + ".md";
    }

    /** Every file of steps 1 to {@code lastStep}, in the order the CLI writes them. */
    public static Map<String, String> upTo(int lastStep) {
        Map<String, String> files = new LinkedHashMap<>();
        if (lastStep >= 1) {
            files.put(STEP1, """
                    - name: Queue
                      description: Holds jobs.
                      file_paths: [src/queue.ts]
                    - name: Worker
                      description: Runs jobs.
                      file_paths: [src/worker.ts]
                    - name: Analyzer
                      description: Writes courses.
                      file_paths: [src/analyzer.ts]
                    """);
        }
        if (lastStep >= 2) {
            files.put(STEP2, """
                    summary: A worker runs jobs from a queue.
                    relationships:
                      - from_abstraction: 1
                        to_abstraction: 0
                        label: Claims from
                    """);
        }
        if (lastStep >= 3) {
            files.put(STEP3, """
                    order:
                      - index: 0
                        name: Queue
                      - index: 1
                        name: Worker
                      - index: 2
                        name: Analyzer
                    """);
        }
        for (int step = 4; step <= lastStep; step++) {
            for (int n = 1; n <= 3; n++) {
                switch (step) {
                    case 4 -> files.put(chapter(n), "# Chapter " + n + ": " + NAMES[n - 1] + "\n\nText " + n + ".\n");
                    case 5 ->
                        files.put(reviewed(n), "# Chapter " + n + ": " + NAMES[n - 1] + "\n\nBetter text " + n + ".\n");
                    default ->
                        files.put(tutorial(n), "# Interactive Tutorial: " + NAMES[n - 1] + "\n\nTry " + n + ".\n");
                }
            }
        }
        return files;
    }

    /** The whole course. */
    public static Map<String, String> all() {
        return upTo(6);
    }
}
