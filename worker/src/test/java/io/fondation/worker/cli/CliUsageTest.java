package io.fondation.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.dryrun.FixtureRepository;
import io.fondation.http.callback.WebhookReceiver;
import io.fondation.worker.Main;
import io.fondation.worker.config.ConfigVariable;
import io.fondation.worker.config.ConfigVariables;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
    void aCommandLineNamingACommandBuildsOnlyThatOneAndAnyOtherBuildsAll() {
        assertThat(RootCommand.subcommandsFor("run", "--dry-run")).containsOnlyKeys("run");
        assertThat(RootCommand.subcommandsFor("--help").keySet())
                .containsExactly("run", "run-job", "dev", "submit", "status", "docs", "cancel");
        assertThat(RootCommand.subcommandsFor("bogus")).isEqualTo(RootCommand.SUBCOMMANDS);
        assertThat(RootCommand.subcommandsFor()).isEqualTo(RootCommand.SUBCOMMANDS);

        CliHarness.Result typo = cli.run(temp, "rnu");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("'rnu'").contains("fondation-worker --help");
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
        for (String command : new String[] {"run", "run-job", "dev", "submit", "status", "docs", "cancel"}) {
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
    void anInvalidEnvironmentValueStopsEveryCommandThatReadsItWithOneLine() {
        cli.env("POLL_INTERVAL", "soon");
        for (String[] args : new String[][] {{"run"}, {"dev", "--dry-run"}}) {
            CliHarness.Result result = cli.run(temp, args);
            assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(result.err())
                    .isEqualTo("fondation-worker: POLL_INTERVAL: 'soon' is not a whole number of milliseconds\n");
        }
        cli.env("POLL_INTERVAL", "1000").env("QUEUE", "soon");
        assertThat(cli.run(temp, "status").err()).startsWith("fondation-worker: QUEUE: 'soon' is not one of");
        cli.env("QUEUE", "embedded").env("HEARTBEAT_INTERVAL", "200000");
        assertThat(cli.run(temp, "run").err())
                .startsWith("fondation-worker: HEARTBEAT_INTERVAL: 200000 ms must be less than half of LEASE_TIME")
                .doesNotContain("\tat ")
                .hasLineCount(1);
    }

    @Test
    void secretsNeverAppearInConfigurationErrors() {
        cli.env("ENCRYPTION_KEY", "test-secret-value");
        CliHarness.Result result =
                cli.run(temp, "run", "--db", temp.resolve("q.db").toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .startsWith("fondation-worker: ENCRYPTION_KEY: must be 64 hexadecimal characters")
                .doesNotContain("test-secret-value");
    }

    @Test
    void statusNeedsNoEncryptionKeyAndABadOneDoesNotStopIt() {
        cli.env("ENCRYPTION_KEY", "FAKE-not-a-key");
        CliHarness.Result result =
                cli.run(temp, "status", "--db", temp.resolve("q.db").toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("No jobs in the embedded queue at");
        assertThat(cli.run(temp, "status", "--help").out()).doesNotContain("ENCRYPTION_KEY");
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

        String token = "ghp_" + "FAKE0123456789abcdefFAKE";
        CliHarness.Result tokenInPath = cli.run(temp, "submit", "http://127.0.0.1:1/" + token + "/x.git", "--db", db);
        assertThat(tokenInPath.exitCode()).isEqualTo(2);
        assertThat(tokenInPath.err())
                .startsWith("fondation-worker: the repository URL must not contain credentials")
                .doesNotContain(token);

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

    @Test
    void everyOptionAHelpNamesIsAnOptionOfThatCommand() {
        CommandLine root = Main.commandLine(new CliEnvironment(cli.env, Clock.systemUTC(), temp, false, cli.stop));
        for (String command : new String[] {"run", "run-job", "dev", "submit", "status", "docs", "cancel"}) {
            Set<String> options = root.getSubcommands()
                    .get(command)
                    .getCommandSpec()
                    .optionsMap()
                    .keySet();
            Matcher named = Pattern.compile("(?<![\\w-])--[a-z][a-z-]*")
                    .matcher(cli.run(temp, command, "--help").out());
            while (named.find()) {
                if (named.group().equals("--profile")) {
                    continue; // the Fondation CLI's option, which CLI_PROFILE's description names
                }
                assertThat(options)
                        .as(command + " --help names " + named.group())
                        .contains(named.group());
            }
        }
        assertThat(cli.run(temp, "run", "--help").out()).doesNotContain("--max-attempts");
        assertThat(cli.run(temp, "submit", "--help").out()).contains("Jobs get 5 attempts unless --max-attempts says");
    }

    @Test
    void eachHelpListsExactlyTheVariablesOfItsCommandInTheCatalog() {
        Map<String, ConfigVariable.Command> commands = Map.of(
                "run", ConfigVariable.Command.RUN,
                "dev", ConfigVariable.Command.DEV,
                "run-job", ConfigVariable.Command.RUN_JOB,
                "submit", ConfigVariable.Command.QUEUE_CLIENT,
                "status", ConfigVariable.Command.QUEUE_CLIENT,
                "docs", ConfigVariable.Command.QUEUE_CLIENT,
                "cancel", ConfigVariable.Command.QUEUE_CLIENT);
        commands.forEach((command, reads) -> {
            String help = cli.run(temp, command, "--help").out();
            List<String> listed = help.substring(help.indexOf("Environment ("))
                    .lines()
                    .filter(line -> line.matches("  [A-Z][A-Z0-9_]+( .*)?"))
                    .map(line -> line.trim().split(" ")[0])
                    .toList();
            assertThat(listed)
                    .as(command + " --help")
                    .containsExactlyElementsOf(ConfigVariables.of(reads).stream()
                            .map(ConfigVariable::name)
                            .toList());
        });
        String dev = cli.run(temp, "dev", "--help").out();
        assertThat(dev.substring(dev.indexOf("Environment (")))
                .doesNotContain("QUEUE ", "CONVEX_URL", "CONVEX_DEPLOY_KEY", "FONDATION_WORKER_SECRET");
        String runJob = cli.run(temp, "run-job", "--help").out();
        assertThat(runJob)
                .as("run-job says one default for its attempts")
                .contains("(default: 1)")
                .contains("The job gets 1 attempt unless --max-attempts says otherwise.")
                .doesNotContain("5 attempts");
    }

    /**
     * The other half of "--help lists what each command reads": every catalog variable a command's help does not
     * list is set to a value no setting accepts, and the command runs as if it were not there. (The first half: a
     * listed variable that is wrong stops the command naming it, as the tests of each setting show.)
     */
    @Test
    void noCommandIsStoppedByAVariableItsHelpDoesNotList() throws Exception {
        Path repo = FixtureRepository.create(temp.resolve("repo"));
        String db = temp.resolve("q.db").toString();
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            Map<String, String[]> runs = new LinkedHashMap<>();
            runs.put("dev", new String[] {
                "dev",
                "--dry-run",
                repo.toString(),
                "--db",
                db,
                "--out",
                temp.resolve("out").toString()
            });
            runs.put("submit", new String[] {"submit", "owner/name", "--db", db});
            runs.put("status", new String[] {"status", "--db", db});
            runs.put("docs", new String[] {
                "docs", "no-such-job", "--out", temp.resolve("docs").toString(), "--db", db
            });
            runs.put("cancel", new String[] {"cancel", "no-such-job", "--db", db});
            runs.put("run-job", new String[] {
                "run-job",
                "--dry-run",
                "--job-id",
                "job-1",
                "--repository-url",
                repo.toString(),
                "--callback-url",
                receiver.url()
            });
            Map<String, ConfigVariable.Command> commands = Map.of(
                    "dev", ConfigVariable.Command.DEV,
                    "submit", ConfigVariable.Command.QUEUE_CLIENT,
                    "status", ConfigVariable.Command.QUEUE_CLIENT,
                    "docs", ConfigVariable.Command.QUEUE_CLIENT,
                    "cancel", ConfigVariable.Command.QUEUE_CLIENT,
                    "run-job", ConfigVariable.Command.RUN_JOB);
            List<String> notRead = new ArrayList<>();
            for (var entry : runs.entrySet()) {
                CliHarness harness = new CliHarness(temp).env("MIN_FREE_DISK_MB", "0");
                ConfigVariables.all().stream()
                        .filter(v -> !v.commands().contains(commands.get(entry.getKey())))
                        .forEach(v -> {
                            harness.env(v.name(), "not valid at all");
                            notRead.add(v.name());
                        });
                if (entry.getKey().equals("run-job")) {
                    harness.env("ALLOW_LOCAL_REPOSITORIES", "true").env("CALLBACK_REWRITE_LOCALHOST", "false");
                }
                CliHarness.Result result = harness.run(temp, entry.getValue());
                int expected = entry.getKey().equals("docs") || entry.getKey().equals("cancel") ? 1 : 0;
                assertThat(result.exitCode())
                        .as(entry.getKey() + ": " + result.out() + result.err())
                        .isEqualTo(expected);
            }
            assertThat(notRead).contains("QUEUE", "CONVEX_URL", "ENCRYPTION_KEY", "POLL_INTERVAL", "JOB_ID");
            assertThat(receiver.accepted())
                    .extracting(WebhookReceiver.Received::type)
                    .contains("complete");
        }
    }

    @Test
    void aHealthPortInUseIsAConfigurationErrorWithExitTwo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            cli.env("HEALTH_HOST", "127.0.0.1").env("HEALTH_PORT", Integer.toString(taken.getLocalPort()));
            CliHarness.Result result = cli.run(
                    temp, "run", "--dry-run", "--db", temp.resolve("q.db").toString());
            assertThat(result.exitCode()).isEqualTo(2);
            assertThat(result.err())
                    .startsWith("fondation-worker: HEALTH_PORT: cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .doesNotContain("\tat ")
                    .hasLineCount(1);
        }
    }
}
