package io.fondation.clibridge.process;

import io.fondation.clibridge.Fixtures;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Run in a child JVM by {@link DieWithTheWorkerTest}: starts the stubborn-tree fixture through a
 * containment and waits forever, printing the tree's output. Arguments: {@code sandbox},
 * {@code setpriv} or {@code none}; the heartbeat file; the directory the tree may write to.
 */
public final class ContainedTreeMain {

    private ContainedTreeMain() {}

    public static void main(String[] args) throws Exception {
        Path heartbeat = Path.of(args[1]);
        Path writable = Path.of(args[2]);
        Containment containment = switch (args[0]) {
            case "sandbox" -> ContainmentProbe.detect(ContainmentProbe.onPath("bwrap"), null);
            case "setpriv" -> ContainmentProbe.detect(null, ContainmentProbe.onPath("setpriv"));
            case "session" -> ContainmentProbe.detectLifetimeOnly("test");
            default -> Containment.none("test");
        };
        System.out.println("CONTAINMENT " + containment.status().level());
        ProcessSpec spec = containment.wrap(
                new ProcessSpec(
                        Fixtures.bash("stubborn-tree.sh", heartbeat.toString()),
                        writable,
                        Fixtures.minimalEnv(),
                        Duration.ofHours(1),
                        Duration.ofSeconds(1)),
                Confinement.writableOnly(writable)
                        .withReadOnly(Fixtures.script("stubborn-tree.sh").getParent()));
        RunningProcess process = new ProcessRunner().start(spec, (channel, line) -> System.out.println(line));
        System.out.println("STARTED " + process.pid());
        process.await();
    }
}
