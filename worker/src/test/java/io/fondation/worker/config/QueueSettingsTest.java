package io.fondation.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the embedded queue's file is by default (moved here from the embedded queue's tests: the setting is the application's). */
class QueueSettingsTest {

    @Test
    void defaultPathFollowsXdgDataHome() {
        assertThat(QueueSettings.defaultEmbeddedDbPath(Map.of("XDG_DATA_HOME", "/srv/data", "HOME", "/home/tester")))
                .isEqualTo(Path.of("/srv/data", "fondation", "queue.db"));
    }

    @Test
    void defaultPathFallsBackToLocalShareInHome() {
        assertThat(QueueSettings.defaultEmbeddedDbPath(Map.of("XDG_DATA_HOME", " ", "HOME", "/home/tester")))
                .isEqualTo(Path.of("/home/tester", ".local", "share", "fondation", "queue.db"));
        assertThat(QueueSettings.defaultEmbeddedDbPath(Map.of()))
                .isEqualTo(Path.of(System.getProperty("user.home"), ".local", "share", "fondation", "queue.db"));
    }
}
