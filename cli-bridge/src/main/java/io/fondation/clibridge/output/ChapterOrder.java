package io.fondation.clibridge.output;

import java.util.List;

/** The content of {@code step3_order.yaml}: the chapters in teaching order. */
public record ChapterOrder(List<ChapterOrderEntry> order) {

    public ChapterOrder {
        order = List.copyOf(order);
    }
}
