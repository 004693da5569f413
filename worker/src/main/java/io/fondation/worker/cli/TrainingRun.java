package io.fondation.worker.cli;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * What {@code run --exit-after-start} does once the worker has started: wait (at most a few seconds) until its
 * {@code /health/ready} answers, so that the class-data archive holds the classes a start-up to ready loads.
 */
final class TrainingRun {

    private static final long READY_WAIT_MILLIS = 10_000;

    private TrainingRun() {}

    static void askHealth(int port) throws InterruptedException {
        if (port <= 0) {
            return;
        }
        URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_WAIT_MILLIS);
        while (System.nanoTime() < deadline) {
            try {
                HttpURLConnection connection = (HttpURLConnection) ready.toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(1000);
                int status = connection.getResponseCode();
                connection.disconnect();
                if (status == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
