package io.fondation.clibridge.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linux sends a parent-death signal when the thread that forked the child ends, not the process: a
 * child started by a short-lived thread must survive that thread (the signal is for the worker's death).
 */
class SpawningThreadTest {

    @TempDir
    Path dir;

    @Test
    void aChildWithAParentDeathSignalOutlivesTheThreadThatStartedIt() throws Exception {
        ProcessSpec spec = new ProcessSpec(
                List.of("setpriv", "--pdeathsig", "KILL", "--", "bash", "-c", "sleep 1; exit 3"),
                dir,
                Fixtures.minimalEnv(),
                Duration.ofMinutes(1),
                Duration.ofSeconds(1));
        AtomicReference<RunningProcess> started = new AtomicReference<>();
        Thread starter = new Thread(() -> started.set(new ProcessRunner().start(spec, OutputListener.NONE)));
        starter.start();
        starter.join();

        ProcessOutcome outcome = started.get().await();

        assertThat(outcome.describe()).isEqualTo("exit code 3");
    }
}
