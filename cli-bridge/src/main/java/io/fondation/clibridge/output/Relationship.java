package io.fondation.clibridge.output;

/**
 * One relationship of {@code step2_relationships.yaml}, between abstractions by index.
 *
 * @param fromAbstraction index into the abstractions of step 1
 * @param toAbstraction index into the abstractions of step 1
 * @param label a short label
 * @param evidence why the model thinks so (may be empty)
 */
public record Relationship(int fromAbstraction, int toAbstraction, String label, String evidence) {}
