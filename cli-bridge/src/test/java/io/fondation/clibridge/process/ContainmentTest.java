package io.fondation.clibridge.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.clibridge.Fixtures;
import io.fondation.clibridge.testing.FileSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox on this machine, checked on the file system; and what the probe says elsewhere. */
class ContainmentTest {

    @TempDir
    Path dir;

    private Path work;
    private Path out;
    private Path repo;
    private Containment sandbox;

    @BeforeEach
    void setUp() throws IOException {
        work = dir.resolve("job");
        out = Files.createDirectories(work.resolve("output"));
        repo = Files.createDirectories(work.resolve("repo"));
        Files.writeString(repo.resolve("README.md"), "hello\n");
        sandbox = ContainmentProbe.detect();
    }

    @Test
    void thisMachineHasASandbox() {
        // why: the build needs bubblewrap and user namespaces (.ci/run installs bubblewrap); without
        // them this fails with the probe's reason instead of skipping the tests that rely on them.
        assertThat(sandbox.status().level()).as(sandbox.status().describe()).isEqualTo(ContainmentStatus.Level.SANDBOX);
        assertThat(sandbox.status().confinesWrites()).isTrue();
        assertThat(sandbox.status().describe()).startsWith("sandbox (bubblewrap ");
    }

    @Test
    void writesLandOnlyInTheWritableDirectory() throws Exception {
        Map<Path, String> before = FileSnapshot.of(dir);
        Path hostTmpFile = Path.of(
                "/tmp", "fondation-sandbox-test-" + ProcessHandle.current().pid());
        ProcessOutcome outcome = run(
                "echo ok > " + out + "/inside.md"
                        + "; echo bad > " + work + "/beside.md"
                        + "; echo bad > " + repo + "/README.md"
                        + "; echo bad > " + dir + "/above.md"
                        + "; echo bad > " + hostTmpFile
                        + "; echo bad > $HOME/.bashrc-sandbox-test"
                        + "; cat " + repo + "/README.md; exit 7",
                Confinement.writableOnly(out).withReadOnly(repo));

        assertThat(outcome.exitCode()).as(outcome.stderrTail()).isEqualTo(7);
        assertThat(outcome.stdoutTail()).isEqualTo("hello\n");
        assertThat(outcome.stderrTail()).contains("Read-only file system");
        Map<Path, String> after = FileSnapshot.of(dir);
        after.remove(out.resolve("inside.md"));
        assertThat(after).isEqualTo(before);
        assertThat(Files.readString(out.resolve("inside.md"))).isEqualTo("ok\n");
        assertThat(hostTmpFile).doesNotExist();
        assertThat(Path.of(System.getProperty("user.home"), ".bashrc-sandbox-test"))
                .doesNotExist();
    }

    @Test
    void theSandboxHasItsOwnTmpProcessesAndNoCapabilities() throws Exception {
        ProcessOutcome outcome = run(
                "echo x > /tmp/mine && cat /tmp/mine && echo \"TMPDIR=$TMPDIR\""
                        + " && ls /proc | grep -c '^[0-9]' && grep CapEff /proc/self/status",
                Confinement.writableOnly(out));

        assertThat(outcome.exitCode()).as(outcome.stderrTail()).isZero();
        List<String> lines = outcome.stdoutTail().lines().toList();
        assertThat(lines.get(0)).isEqualTo("x");
        assertThat(lines.get(1)).isEqualTo("TMPDIR=/tmp");
        // The shell, ls, grep and bwrap's init: nothing of the host.
        assertThat(Integer.parseInt(lines.get(2))).isLessThan(8);
        assertThat(lines.get(3)).matches("CapEff:\\s+0+");
    }

    @Test
    void aDeeperDirectoryWinsOverItsParent() throws Exception {
        Path inner = Files.createDirectories(repo.resolve("out"));
        ProcessOutcome outcome = run(
                "echo ok > " + inner + "/a; echo bad > " + repo + "/b",
                Confinement.writableOnly(inner).withReadOnly(repo).withPrivate(dir));
        assertThat(Files.readString(inner.resolve("a"))).isEqualTo("ok\n");
        assertThat(repo.resolve("b")).doesNotExist();
        assertThat(outcome.stderrTail()).contains("Read-only file system");
    }

    @Test
    void aPrivateDirectoryHidesWhatIsInIt() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other-job"));
        Files.writeString(other.resolve("secret.txt"), "someone else's\n");
        ProcessOutcome outcome = run(
                "ls -A " + dir + "; cat " + other + "/secret.txt",
                Confinement.writableOnly(out).withPrivate(dir));
        assertThat(outcome.stdoutTail().lines()).containsExactly("job");
        assertThat(outcome.stdoutTail()).doesNotContain("someone else's");
    }

    @Test
    void aProgramInstalledUnderAPrivateDirectoryStillStartsThroughItsLink() throws Exception {
        // As npm installs the claude CLI: node_modules/.bin/claude links to the package's binary, here under a
        // directory the sandbox makes private (a clone under /tmp, whose /tmp is private to the analyzer).
        Path installed = Files.createDirectories(dir.resolve("tools/package/bin"));
        Path program = installed.resolve("tool");
        Files.writeString(program, "#!/bin/sh\necho \"tool ran in $PWD\"\n");
        program.toFile().setExecutable(true);
        Path links = Files.createDirectories(dir.resolve("tools/.bin"));
        Path link = Files.createSymbolicLink(links.resolve("tool"), Path.of("../package/bin/tool"));
        ProcessSpec spec = new ProcessSpec(
                List.of(link.toString()), repo, Fixtures.minimalEnv(), Duration.ofSeconds(30), Duration.ofSeconds(1));

        ProcessOutcome outcome = new ProcessRunner()
                .start(sandbox.wrap(spec, Confinement.writableOnly(out).withPrivate(dir)), OutputListener.NONE)
                .await();

        assertThat(outcome.exitCode()).as(outcome.stderrTail()).isZero();
        assertThat(outcome.stdoutTail()).isEqualTo("tool ran in " + repo + "\n");
        ProcessOutcome write = run(
                "echo bad > " + installed + "/written",
                Confinement.writableOnly(out).withPrivate(dir));
        assertThat(installed.resolve("written")).as(write.stderrTail()).doesNotExist();
    }

    @Test
    void aHiddenDirectoryIsEmptyAndReadOnlyButWhatShowsThroughKeepsItsMode() throws Exception {
        // As the worker hides TEMP_DIR: the other job's workspace is gone, the own one shows through.
        Path other = Files.createDirectories(dir.resolve("other-job/repo"));
        Files.writeString(other.resolve("secret.txt"), "someone else's\n");
        ProcessOutcome outcome = run(
                "ls -A " + dir + "; cat " + other + "/secret.txt; echo ok > " + out + "/a; echo bad > " + dir
                        + "/b; mkdir " + dir + "/c; echo bad > " + work + "/d",
                Confinement.writableOnly(out).withReadOnly(repo).withHidden(dir));

        assertThat(outcome.stdoutTail().lines()).containsExactly("job");
        assertThat(outcome.stdoutTail()).doesNotContain("someone else's");
        assertThat(out.resolve("a")).hasContent("ok");
        assertThat(outcome.stderrTail()).contains("Read-only file system");
        assertThat(dir.resolve("b")).doesNotExist();
        assertThat(dir.resolve("c")).doesNotExist();
        assertThat(work.resolve("d")).doesNotExist();
    }

    @Test
    void nothingShowsAHiddenDirectoryItself() throws Exception {
        Files.writeString(dir.resolve("queue.db"), "the worker's own\n");
        ProcessOutcome outcome = run(
                "cat " + dir + "/queue.db; ls -A " + dir,
                Confinement.writableOnly(out).withReadOnly(dir).withHidden(dir));
        assertThat(outcome.stdoutTail()).doesNotContain("the worker's own").doesNotContain("queue.db");
    }

    @Test
    void withoutTheNetworkOnlyLoopbackIsLeft() throws Exception {
        // the interfaces of the process's own network namespace
        String interfaces = "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '";
        ProcessOutcome outcome = run(interfaces, Confinement.writableOnly(out).withoutNetwork());
        assertThat(outcome.exitCode()).as(outcome.stderrTail()).isZero();
        assertThat(outcome.stdoutTail().lines()).containsExactly("lo");

        ProcessOutcome shared = run(interfaces, Confinement.writableOnly(out));
        assertThat(shared.stdoutTail().lines())
                .as("the machine's network stays")
                .hasSizeGreaterThan(1);
    }

    @Test
    void aProgramInAHiddenHomesBinStartsWithoutShowingTheHome() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".credentials"), "the worker's own\n");
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path program = bin.resolve("tool");
        Files.writeString(program, "#!/bin/sh\necho ran; cat " + home + "/.credentials\n");
        program.toFile().setExecutable(true);
        ProcessSpec spec = new ProcessSpec(
                List.of(program.toString()),
                repo,
                Fixtures.minimalEnv(),
                Duration.ofSeconds(30),
                Duration.ofSeconds(1));

        ProcessOutcome outcome = new ProcessRunner()
                .start(sandbox.wrap(spec, Confinement.writableOnly(out).withHidden(home)), OutputListener.NONE)
                .await();

        assertThat(outcome.stdoutTail()).as(outcome.stderrTail()).isEqualTo("ran\n");
        assertThat(outcome.stderrTail()).contains("No such file or directory");
    }

    @Test
    void theWorkersProcessesAndTheirEnvironmentCannotBeRead() throws Exception {
        long worker = ProcessHandle.current().pid();
        ProcessOutcome outcome =
                run("cat /proc/" + worker + "/environ || echo unreadable", Confinement.writableOnly(out));
        assertThat(outcome.stdoutTail()).contains("unreadable").doesNotContain("PATH=");
    }

    @Test
    void missingDirectoriesAreRefusedWhenWrapping() {
        assertThatThrownBy(() -> sandbox.wrap(spec("true"), Confinement.writableOnly(dir.resolve("nope"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope")
                .hasMessageContaining("does not exist");
    }

    @Test
    void withoutBubblewrapTheProbeFallsBackAndSaysWhy() {
        Containment fallback = ContainmentProbe.detect(null, ContainmentProbe.onPath("setpriv"));
        assertThat(fallback.status().level()).isEqualTo(ContainmentStatus.Level.PARENT_DEATH_SIGNAL);
        assertThat(fallback.status().confinesWrites()).isFalse();
        assertThat(fallback.status().describe())
                .startsWith("parent death signal (setpriv --pdeathsig (util-linux ")
                .contains("bubblewrap is not installed");

        Containment nothing = ContainmentProbe.detect(null, null);
        assertThat(nothing.status().level()).isEqualTo(ContainmentStatus.Level.NONE);
        assertThat(nothing.status().detail()).contains("setpriv (util-linux) is not installed");
        assertThat(nothing.wrap(spec("true"), Confinement.writableOnly(out))).isEqualTo(spec("true"));
    }

    @Test
    void aBubblewrapThatCannotMakeNamespacesIsReportedWithItsOwnWords() throws Exception {
        // A stand-in for bwrap in a container without user namespaces.
        Path fake = dir.resolve("bwrap");
        Files.writeString(
                fake,
                "#!/bin/sh\n"
                        + "if [ \"$1\" = --version ]; then echo 'bubblewrap 0.8.0'; exit 0; fi\n"
                        + "echo 'bwrap: No permissions to creating new namespace, likely because the kernel does not"
                        + " allow non-privileged user namespaces.' >&2\nexit 1\n");
        fake.toFile().setExecutable(true);

        Containment chosen = ContainmentProbe.detect(fake, ContainmentProbe.onPath("setpriv"));

        assertThat(chosen.status().level()).isEqualTo(ContainmentStatus.Level.PARENT_DEATH_SIGNAL);
        assertThat(chosen.status().detail())
                .contains("no sandbox: exit code 1: bwrap: No permissions to creating new namespace");
    }

    @Test
    void theSessionSupervisorLeavesWritesExitCodesAndSignalsAsTheyAre() throws Exception {
        Containment session = ContainmentProbe.detectLifetimeOnly("a test");
        assertThat(session.status().level()).as(session.status().describe()).isEqualTo(ContainmentStatus.Level.SESSION);
        assertThat(session.status().treeDiesWithJvm()).isTrue();
        assertThat(session.status().confinesWrites()).isFalse();
        assertThat(session.status().detail()).contains("(a test)");
        Path beside = work.resolve("beside.pid");

        ProcessOutcome exited = new ProcessRunner()
                .start(session.wrap(spec("echo $$ > " + beside + "; exit 7"), null), OutputListener.NONE)
                .await();

        assertThat(exited.exitCode()).isEqualTo(7);
        assertThat(Files.readString(beside).trim())
                .as("a real process id, written outside")
                .matches("\\d+");

        // On a timeout the analyzer gets SIGTERM (and its grace) from the tree kill, as without the supervisor.
        Path term = work.resolve("term");
        ProcessSpec slow = new ProcessSpec(
                List.of("sh", "-c", "trap 'echo term > " + term + "; exit 0' TERM; while :; do sleep 0.1; done"),
                repo,
                Fixtures.minimalEnv(),
                Duration.ofSeconds(1),
                Duration.ofSeconds(5));
        ProcessOutcome timedOut = new ProcessRunner()
                .start(session.wrap(slow, null), OutputListener.NONE)
                .await();
        assertThat(timedOut.timedOut()).isTrue();
        assertThat(term).hasContent("term");
    }

    @Test
    void withoutSetsidTheLifetimeProbeFallsBackToTheParentDeathSignal() {
        Containment fallback = ContainmentProbe.detectLifetimeOnly(
                ContainmentProbe.onPath("setpriv"), null, ContainmentProbe.onPath("sh"), null);
        assertThat(fallback.status().level()).isEqualTo(ContainmentStatus.Level.PARENT_DEATH_SIGNAL);
        assertThat(fallback.status().detail()).contains("no session supervisor: setsid is not installed");
        Containment nothing = ContainmentProbe.detectLifetimeOnly(null, null, null, "no sandbox here");
        assertThat(nothing.status().level()).isEqualTo(ContainmentStatus.Level.NONE);
        assertThat(nothing.status().detail()).contains("no sandbox here; setpriv (util-linux) is not installed");
    }

    private ProcessOutcome run(String script, Confinement confinement) throws InterruptedException {
        return new ProcessRunner()
                .start(sandbox.wrap(spec(script), confinement), OutputListener.NONE)
                .await();
    }

    private ProcessSpec spec(String script) {
        Map<String, String> env = new TreeMap<>(Fixtures.minimalEnv());
        env.put("HOME", System.getProperty("user.home"));
        return new ProcessSpec(List.of("sh", "-c", script), repo, env, Duration.ofSeconds(30), Duration.ofSeconds(1));
    }
}
