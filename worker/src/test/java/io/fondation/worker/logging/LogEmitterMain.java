package io.fondation.worker.logging;

import io.fondation.engine.runtime.LogFields;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Run by {@link LogOutputTest} in a child JVM, with the worker's own logging set-up ({@link WorkerLogConfigurator}): logs what
 * the worker logs while a job runs, with fake secrets in the message, in the MDC, in a key-value
 * pair and in an exception's message.
 */
public final class LogEmitterMain {

    static final String GITHUB_TOKEN_SHAPED = "ghp_FAKEFAKEFAKEFAKE";
    static final String ANTHROPIC_SHAPED = "sk-ant-oat01-FAKE";
    static final String BEARER_SHAPED = "Bearer FAKEbearerVALUE123456";

    private LogEmitterMain() {}

    public static void main(String[] args) {
        Logger log = LoggerFactory.getLogger("io.fondation.engine.runtime.Worker");
        MDC.setContextMap(
                Map.of(LogFields.WORKER_ID, "worker-test-1", LogFields.JOB_ID, "job-42", LogFields.ATTEMPT, "2"));
        log.info("cloning https://x-access-token:{}@github.com/o/r.git", GITHUB_TOKEN_SHAPED);
        log.info("the worker secret is {} and must not show", System.getenv("FONDATION_WORKER_SECRET"));
        MDC.put("note", BEARER_SHAPED);
        log.atWarn().addKeyValue("credential", ANTHROPIC_SHAPED).log("a key-value pair");
        MDC.remove("note");
        log.error(
                "analysis failed",
                new IllegalStateException(
                        "analyzer said: invalid key " + ANTHROPIC_SHAPED,
                        new RuntimeException("cause with " + GITHUB_TOKEN_SHAPED)));
        MDC.clear();
        log.info("no job now");
    }
}
