package io.fondation.convexqueue.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.fondation.convexqueue.client.ConvexClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches a repository's course as the web app sees it ({@code docs:listByRepository}) on a thread of its own, as
 * often as the server answers, next to the status of the repository's jobs, so a test can tell whether the course
 * was ever empty while a completed job had no documents. Each sample reads the jobs' statuses <em>before</em> the
 * course: a job completed then was completed during the read of the course too (nothing un-completes a job here).
 */
public final class CourseWatcher implements AutoCloseable {

    /**
     * One look.
     *
     * @param atNanos when the course was read ({@link System#nanoTime()})
     * @param latestCompleted the latest job (of those watched, in creation order) completed before the course was
     *     read, or {@code null}
     * @param documents how many documents the course had
     * @param courseJobs the jobs the course's documents belong to
     */
    public record Sample(long atNanos, String latestCompleted, int documents, List<String> courseJobs) {

        /**
         * Whether {@code jobId} was the latest completed job and the course did not show its documents: the window
         * that completing before storing the documents opens (and that a crash makes permanent).
         */
        public boolean completedWithoutItsDocuments(String jobId) {
            return jobId.equals(latestCompleted) && (documents == 0 || !courseJobs.contains(jobId));
        }
    }

    private final ConvexClient client;
    private final String repositoryId;
    private final List<String> jobIds = new CopyOnWriteArrayList<>();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    private CourseWatcher(ConvexClient client, String repositoryId) {
        this.client = client;
        this.repositoryId = repositoryId;
        this.thread = new Thread(this::loop, "course-watcher");
        thread.setDaemon(true);
    }

    /** Starts watching {@code repositoryId} with {@code client} (a web app's client: no key needed). */
    public static CourseWatcher start(ConvexClient client, String repositoryId) {
        CourseWatcher watcher = new CourseWatcher(client, repositoryId);
        watcher.thread.start();
        return watcher;
    }

    /** Adds a job of the repository to watch; call in the order the jobs were created. */
    public CourseWatcher watchJob(String jobId) {
        jobIds.add(jobId);
        return this;
    }

    /** The samples so far. */
    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The samples taken after {@code nanos} ({@link System#nanoTime()}). */
    public List<Sample> samplesAfter(long nanos) {
        return samples.stream().filter(s -> s.atNanos() - nanos > 0).toList();
    }

    private void loop() {
        while (running) {
            try {
                String latest = null;
                for (String jobId : jobIds) {
                    JsonNode job = client.query("jobs:getJob", Map.of("jobId", jobId));
                    if (job != null && "completed".equals(job.path("status").asText())) {
                        latest = jobId;
                    }
                }
                long at = System.nanoTime();
                JsonNode course = client.query("docs:listByRepository", Map.of("repositoryId", repositoryId));
                List<String> owners = new ArrayList<>();
                for (JsonNode document : course) {
                    String owner = document.path("jobId").asText();
                    if (!owners.contains(owner)) {
                        owners.add(owner);
                    }
                }
                samples.add(new Sample(at, latest, course.size(), List.copyOf(owners)));
            } catch (RuntimeException e) {
                if (running) {
                    failure = e;
                    running = false;
                }
            }
        }
    }

    /** Stops watching; throws what made the watcher fail, if anything did. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new IllegalStateException("the course watcher failed", failure);
        }
    }
}
