package io.fondation.engine.analyzer;

import io.fondation.clibridge.process.ContainmentStatus;
import java.util.Objects;

/**
 * What holds this worker's analyzer, for {@code /health}: which kind of analyzer it runs and how it is held.
 *
 * @param analyzer the analyzer's kind, as {@code ANALYZER} names it ({@code fondation}, {@code claude},
 *     {@code command}, {@code dry-run})
 * @param status what the containment guarantees, and why not more
 * @param unconfinedAllowed whether the operator allowed it to run without a sandbox ({@code ANALYZER_ALLOW_UNCONFINED}
 *     or, for {@code claude}, {@code CLAUDE_ALLOW_UNCONFINED}); meaningful when no sandbox holds it
 */
public record ContainmentReport(String analyzer, ContainmentStatus status, boolean unconfinedAllowed) {

    public ContainmentReport {
        Objects.requireNonNull(analyzer, "analyzer");
        Objects.requireNonNull(status, "status");
    }
}
