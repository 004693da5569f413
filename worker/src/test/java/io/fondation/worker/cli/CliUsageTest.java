package io.fondation.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.worker.dryrun.FixtureRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Help, version, usage errors and configuration errors: exit codes and one-line messages. */
class CliUsageTest {

    @TempDir
    Path temp;

    CliHarness cli;

    @BeforeEach
    void setUp() {
        cli = new CliHarness(temp);
    }

    @Test
    void helpListsTheCommandsAndExitsZero() {
        CliHarness.Result result = cli.run(temp, "--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .contains(
                        "Usage: fondation-worker",
                        "run",
                        "dev",
                        "submit",
                        "status",
                        "docs",
                        "Exit codes: 0 ok, 1 job failed or runtime error, 2 usage or configuration");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void runHelpDescribesFlagsAndTheEnvironmentVariables() {
        CliHarness.Result result = cli.run(temp, "run", "--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .contains(
                        "--poll-interval=MS",
                        "(POLL_INTERVAL)",
                        "--dry-run",
                        "--analyzer-command=JSON",
                        "Environment (a flag overrides",
                        "CONVEX_URL",
                        "CONVEX_DEPLOY_KEY",
                        "HEARTBEAT_INTERVAL",
                        "(60000)",
                        "LOG_LEVEL",
                        "Secrets are read from the environment only, never from flags");
        assertThat(cli.run(temp, "dev", "--help").out())
                .contains("--dry-run", "--out=DIR", "--max-attempts=N", "Environment (a flag overrides");
        // Footers are laid out by hand: they must fit the 80 columns picocli wraps everything else to.
        for (String command : new String[] {"run", "dev", "submit", "status", "docs"}) {
            assertThat(cli.run(temp, command, "--help").out().lines())
                    .as(command)
                    .allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
        }
        assertThat(cli.run(temp, "--help").out().lines())
                .allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
    }

    @Test
    void versionComesFromTheManifestOrSaysDevelopmentBuild() {
        CliHarness.Result result = cli.run(temp, "--version");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("fondation-worker ").contains("Java " + System.getProperty("java.version"));
    }

    @Test
    void noCommandIsAUsageError() {
        CliHarness.Result result = cli.run(temp);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .startsWith(
                        "fondation-worker: a command is required: run, run-job, dev, submit, status, docs or cancel\n")
                .contains("Try 'fondation-worker --help'");
    }

    @Test
    void unknownOptionsAndMissingParametersAreUsageErrors() {
        CliHarness.Result unknown = cli.run(temp, "run", "--bogus");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err())
                .startsWith("fondation-worker: Unknown option: '--bogus'")
                .contains("Try 'fondation-worker run --help'");
        CliHarness.Result missing = cli.run(temp, "submit");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required parameter: 'REPOSITORY'");
        CliHarness.Result typo = cli.run(temp, "stauts");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("status");
    }

    @Test
    void anInvalidFlagValueIsOneLineNamingTheVariable() {
        CliHarness.Result result = cli.run(
                temp,
                "run",
                "--poll-interval",
                "abc",
                "--db",
                temp.resolve("q.db").toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("fondation-worker: POLL_INTERVAL: 'abc' is not a whole number of milliseconds\n");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void anInvalidEnvironmentValueStopsEveryCommandWithOneLine() {
        cli.env("POLL_INTERVAL", "soon");
        for (String[] args : new String[][] {{"status"}, {"run"}, {"dev", "--dry-run"}}) {
            CliHarness.Result result = cli.run(temp, args);
            assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(result.err())
                    .isEqualTo("fondation-worker: POLL_INTERVAL: 'soon' is not a whole number of milliseconds\n");
        }
        cli.env("POLL_INTERVAL", "1000").env("HEARTBEAT_INTERVAL", "200000");
        assertThat(cli.run(temp, "run").err())
                .startsWith("fondation-worker: HEARTBEAT_INTERVAL: 200000 ms must be less than half of LEASE_TIME")
                .doesNotContain("\tat ")
                .hasLineCount(1);
    }

    @Test
    void secretsNeverAppearInConfigurationErrors() {
        cli.env("ENCRYPTION_KEY", "test-secret-value");
        CliHarness.Result result = cli.run(temp, "status");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .startsWith("fondation-worker: ENCRYPTION_KEY: must be 64 hexadecimal characters")
                .doesNotContain("test-secret-value");
    }

    @Test
    void contradictoryAnalyzerFlagsAreRefused() {
        CliHarness.Result result = cli.run(temp, "run", "--dry-run", "--analyzer-command", "[\"x\"]");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("fondation-worker: --dry-run and --analyzer-command exclude each other\n");
        assertThat(cli.run(temp, "run", "--analyzer", "magic").err())
                .isEqualTo("fondation-worker: ANALYZER: 'magic' is not one of fondation, claude, dry-run, command\n");
    }

    @Test
    void devWithoutTheFondationCliPointsToDryRun() {
        Path repo = FixtureRepository.create(temp.resolve("repo"));
        CliHarness.Result result = cli.run(
                temp, "dev", repo.toString(), "--db", temp.resolve("q.db").toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .startsWith("fondation-worker: CLI_PATH: not set")
                .contains("--dry-run");
    }

    @Test
    void repositoriesThatAreNeitherUrlsDirectoriesNorOwnerNameAreRefused() throws Exception {
        String db = temp.resolve("q.db").toString();
        CliHarness.Result missing = cli.run(temp, "submit", "./no/such/dir", "--db", db);
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err())
                .isEqualTo("fondation-worker: './no/such/dir' is not an existing directory, a URL or owner/name\n");

        Path plain = Files.createDirectories(temp.resolve("plain"));
        CliHarness.Result notGit = cli.run(temp, "submit", plain.toString(), "--db", db);
        assertThat(notGit.exitCode()).isEqualTo(2);
        assertThat(notGit.err()).contains("is a directory but not a git repository");

        Path file = Files.writeString(temp.resolve("file.txt"), "x");
        assertThat(cli.run(temp, "submit", file.toString(), "--db", db).err()).contains("is a file, not a repository");

        CliHarness.Result branch = cli.run(temp, "submit", "owner/name", "--branch", "bad..branch", "--db", db);
        assertThat(branch.exitCode()).isEqualTo(2);
        assertThat(branch.err()).isEqualTo("fondation-worker: branch 'bad..branch' is not a valid git branch name\n");

        CliHarness.Result attempts = cli.run(temp, "submit", "owner/name", "--max-attempts", "0", "--db", db);
        assertThat(attempts.exitCode()).isEqualTo(2);
        assertThat(attempts.err()).isEqualTo("fondation-worker: --max-attempts must be at least 1, was 0\n");

        CliHarness.Result status = cli.run(temp, "status", "--status", "sleeping", "--db", db);
        assertThat(status.exitCode()).isEqualTo(2);
        assertThat(status.err()).startsWith("fondation-worker: unknown job status 'sleeping'");
        // None of these touched the queue file.
        assertThat(temp.resolve("q.db")).doesNotExist();
    }
}
