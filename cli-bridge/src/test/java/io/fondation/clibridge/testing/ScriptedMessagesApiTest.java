package io.fondation.clibridge.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scripted API speaks the Messages API's wire format and records what it got. */
class ScriptedMessagesApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private ScriptedMessagesApi api;

    @AfterEach
    void tearDown() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void streamsTheEventsOfAToolCallingTurn() throws Exception {
        api = ScriptedMessagesApi.start(
                Scenario.conversation(Turn.saying("Reading.", ToolCall.read(Path.of("/r/README.md")))));

        HttpResponse<String> response = post("{\"model\":\"m-1\",\"stream\":true,\"messages\":[]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("text/event-stream");
        List<String> events = new ArrayList<>();
        List<JsonNode> data = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("event: ")) {
                events.add(line.substring(7));
            } else if (line.startsWith("data: ")) {
                data.add(JSON.readTree(line.substring(6)));
            }
        }
        assertThat(events)
                .containsExactly(
                        "message_start",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_stop",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop");
        assertThat(data.get(0).path("message").path("model").asText()).isEqualTo("m-1");
        assertThat(data.get(2).path("delta").path("text").asText()).isEqualTo("Reading.");
        assertThat(data.get(4).path("content_block").path("name").asText()).isEqualTo("Read");
        assertThat(JSON.readTree(data.get(5).path("delta").path("partial_json").asText()))
                .isEqualTo(JSON.readTree("{\"file_path\":\"/r/README.md\"}"));
        assertThat(data.get(7).path("delta").path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(data.get(7).path("usage").path("output_tokens").asLong()).isEqualTo(Turn.OUTPUT_TOKENS);
    }

    @Test
    void answersJsonWhenNotStreamingAndFollowsTheTurns() throws Exception {
        api = ScriptedMessagesApi.start(Scenario.conversation(Turn.tools(ToolCall.glob("**/*")), Turn.text("Done.")));

        JsonNode second = JSON.readTree(post("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                        + "{\"role\":\"assistant\",\"content\":[]},{\"role\":\"user\",\"content\":[{\"type\":"
                        + "\"tool_result\",\"tool_use_id\":\"t\",\"content\":\"a.ts\"}]}]}")
                .body());

        assertThat(second.path("content").get(0).path("text").asText()).isEqualTo("Done.");
        assertThat(second.path("stop_reason").asText()).isEqualTo("end_turn");
        RecordedRequest recorded = api.messageRequests().get(0);
        assertThat(recorded.turn()).isEqualTo(1);
        assertThat(recorded.toolResults()).containsExactly("a.ts");
        assertThat(recorded.header("X-Api-Key")).contains("sk-ant-FAKE");
    }

    @Test
    void errorsUnknownPathsAndRefusedConnections() throws Exception {
        api = ScriptedMessagesApi.start(Scenario.failingFirst(
                1, 529, "overloaded_error", Scenario.status(401, "authentication_error", "invalid x-api-key")));

        HttpResponse<String> overloaded = post("{}");
        HttpResponse<String> refused = post("{}");
        HttpResponse<String> unknown = http.send(
                HttpRequest.newBuilder(URI.create(api.baseUrl() + "/v1/complete"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(overloaded.statusCode()).isEqualTo(529);
        assertThat(JSON.readTree(overloaded.body()).path("error").path("type").asText())
                .isEqualTo("overloaded_error");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(api.requests()).hasSize(3);
        assertThat(api.messageRequests()).hasSize(2);
        assertThatThrownBy(() -> http.send(
                        HttpRequest.newBuilder(URI.create(ScriptedMessagesApi.unreachableBaseUrl() + "/v1/messages"))
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aHungRequestEndsWhenTheServerCloses() throws Exception {
        api = ScriptedMessagesApi.start(Scenario.hang());
        var pending = http.sendAsync(
                HttpRequest.newBuilder(URI.create(api.baseUrl() + "/v1/messages"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> !api.requests().isEmpty());
        assertThat(pending).isNotDone();
        api.close();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(pending::isDone);
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(api.baseUrl() + "/v1/messages?beta=true"))
                        .header("x-api-key", "sk-ant-FAKE")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
