package io.fondation.clibridge.output;

/**
 * One entry of {@code step3_order.yaml}.
 *
 * @param index the abstraction this chapter is about
 * @param name its name
 * @param reasoning why it comes here (may be empty)
 */
public record ChapterOrderEntry(int index, String name, String reasoning) {}
