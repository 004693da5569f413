package io.fondation.dryrun;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fondation.clibridge.progress.ProgressText;
import io.fondation.shared.Progress;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prints progress the way the Fondation CLI does: when stdout is not a terminal, one JSON log line
 * per event ({@code {"level":"info","time":<ms>,"context":"analyze","msg":"[FONDATION_STEP_1/6] ..."}});
 * on a terminal, {@code [1/6] Extract: ...}. The step messages are the CLI's own
 * ({@link ProgressText#ENGLISH_STEPS}), so the worker's progress parser reads them as it reads the CLI's.
 */
final class StepReporter {

    private static final int TOTAL_STEPS = Progress.FONDATION_STEPS;
    private static final String[] SHORT = {"Extract", "Analyze", "Order", "Generate", "Review", "Tutorials"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final Clock clock;
    private final boolean terminal;
    private final int total;
    private final boolean counting;
    private int counted;

    StepReporter(PrintStream out, Clock clock, boolean terminal) {
        this(out, clock, terminal, 0);
    }

    /**
     * @param selected under {@code --steps}, the number of steps listed: the lines then count the selected steps as the
     *     CLI does ({@code [FONDATION_STEP_1/3] Generating chapter content}); 0 for a whole run (N/6)
     */
    StepReporter(PrintStream out, Clock clock, boolean terminal, int selected) {
        this.out = out;
        this.clock = clock;
        this.terminal = terminal;
        this.total = selected > 0 ? selected : TOTAL_STEPS;
        this.counting = selected > 0;
    }

    /** Announces step {@code step} (1..6), numbered among the steps run. */
    void step(int step) {
        String message = ProgressText.ENGLISH_STEPS.get(step - 1);
        int number = counting ? ++counted : step;
        if (terminal) {
            out.println("[" + number + "/" + total + "] " + SHORT[step - 1] + ": " + message);
            out.flush();
        } else {
            log("info", "[FONDATION_STEP_" + number + "/" + total + "] " + message);
        }
    }

    void info(String message) {
        if (terminal) {
            out.println(message);
            out.flush();
        } else {
            log("info", message);
        }
    }

    /** The line the CLI prints on failure; the detail goes to stderr. */
    void failed() {
        if (terminal) {
            out.println("Analysis failed");
            out.flush();
        } else {
            log("error", "Analysis failed");
        }
    }

    private void log(String level, String message) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("level", level);
        line.put("time", clock.millis());
        line.put("context", "analyze");
        line.put("msg", message);
        try {
            out.println(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a progress line", e);
        }
        out.flush();
    }
}
