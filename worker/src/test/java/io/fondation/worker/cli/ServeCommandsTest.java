package io.fondation.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fondation.dryrun.FixtureRepository;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dev --serve} serves the page on loopback until Ctrl-C; {@code run} refuses an open API without a token. */
class ServeCommandsTest {

    @TempDir
    Path temp;

    @Test
    void devServeRunsTheGivenRepositoryServesThePageOnLoopbackAndStopsOnCtrlC() throws Exception {
        Path repo = FixtureRepository.create(temp.resolve("shop"));
        CliHarness cli = new CliHarness(temp).env("MIN_FREE_DISK_MB", "0");
        CompletableFuture<CliHarness.Result> dev = CompletableFuture.supplyAsync(() -> cli.run(
                temp,
                "dev",
                "--serve",
                "--dry-run",
                repo.toString(),
                "--db",
                temp.resolve("q.db").toString(),
                "--health-port",
                "0"));

        await().atMost(Duration.ofSeconds(60)).until(() -> cli.out.toString().contains("Status page: "));
        Matcher page = Pattern.compile("Status page: (http://127\\.0\\.0\\.1:\\d+)/ui/")
                .matcher(cli.out.toString());
        assertThat(page.find()).as(cli.out.toString()).isTrue();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> ui = http.send(
                HttpRequest.newBuilder(URI.create(page.group(1) + "/ui/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ui.statusCode()).isEqualTo(200);
        assertThat(ui.body()).contains("<script src=\"/ui/app.js\" defer></script>");

        // dev --serve allows local repositories: its API has a token of its own, shown once on the terminal
        Matcher shown = Pattern.compile("API token of this run \\(.*\\): ([0-9a-f]{64})\n")
                .matcher(cli.out.toString());
        assertThat(shown.find()).as(cli.out.toString()).isTrue();
        String token = shown.group(1);
        assertThat(cli.out.toString().split(token, -1))
                .as("the token is shown once")
                .hasSize(2);
        assertThat(cli.err.toString()).doesNotContain(token);
        HttpResponse<String> anonymous = http.send(
                HttpRequest.newBuilder(URI.create(page.group(1) + "/api/jobs")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).as("reads need the token").isEqualTo(401);
        HttpResponse<String> read = http.send(
                HttpRequest.newBuilder(URI.create(page.group(1) + "/api/jobs"))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).contains(repo.toString());
        await().atMost(Duration.ofSeconds(90)).until(() -> cli.out.toString().contains("completed in attempt 1/5"));
        assertThat(dev).as("dev --serve keeps running after its jobs ended").isNotDone();

        cli.stop.trigger();

        CliHarness.Result result = dev.get(60, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(ExitCodes.OK);
        assertThat(result.out()).contains("Stopped; unfinished jobs were released back to the queue.");
    }

    @Test
    void devServeOnABusyPortQueuesNothing() throws Exception {
        Path repo = FixtureRepository.create(temp.resolve("shop"));
        Path db = temp.resolve("q.db");
        CliHarness cli = new CliHarness(temp).env("MIN_FREE_DISK_MB", "0");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CliHarness.Result result = cli.run(
                    temp,
                    "dev",
                    "--serve",
                    "--dry-run",
                    repo.toString(),
                    "--db",
                    db.toString(),
                    "--health-port",
                    Integer.toString(taken.getLocalPort()));

            assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.USAGE);
            assertThat(result.err()).startsWith("fondation-worker: HEALTH_PORT: cannot listen on 127.0.0.1:");
            assertThat(result.out()).doesNotContain("queued");
        }
        CliHarness.Result status = cli.run(temp, "status", "--db", db.toString(), "--json");
        assertThat(status.out().strip()).as("no job was left behind").matches("\\[\\s*]");
    }

    @Test
    void runRefusesAnApiBeyondLoopbackWithoutAToken() {
        CliHarness cli = new CliHarness(temp)
                .env("HTTP_API", "true")
                .env("HEALTH_HOST", "0.0.0.0")
                .env("ANALYZER", "dry-run")
                .env("EMBEDDED_DB_PATH", temp.resolve("q.db").toString());

        CliHarness.Result result = cli.run(temp, "run");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().strip())
                .startsWith("fondation-worker: API_TOKEN: required: the HTTP API would listen on 0.0.0.0, beyond"
                        + " loopback")
                .doesNotContain("\n");
    }
}
