package io.fondation.engine.analyzer;

import java.nio.file.Path;
import java.util.List;

/**
 * How the analyzer's sandbox is shaped beyond what the worker derives itself (the job's directories shown, the other
 * workspaces and the worker's own files hidden).
 *
 * @param allowUnconfined {@code ANALYZER_ALLOW_UNCONFINED}: run the analyzer even where no sandbox works, held only
 *     by its session (the {@code claude} analyzer also accepts {@code CLAUDE_ALLOW_UNCONFINED})
 * @param readable {@code ANALYZER_READABLE_DIRS}: more directories the analyzer may read (absolute, existing), shown
 *     even inside a hidden one (the worker's {@code HOME}, say)
 * @param writable {@code ANALYZER_WRITABLE_DIRS}: more directories the analyzer may write (absolute, existing, never
 *     {@code TEMP_DIR}, the embedded queue's directory nor anything inside them)
 */
public record SandboxSettings(boolean allowUnconfined, List<Path> readable, List<Path> writable) {

    /** No escape, nothing more shown. */
    public static final SandboxSettings DEFAULT = new SandboxSettings(false, List.of(), List.of());

    public SandboxSettings {
        readable = readable == null ? List.of() : List.copyOf(readable);
        writable = writable == null ? List.of() : List.copyOf(writable);
    }
}
