package io.fondation.worker.server;

import io.fondation.engine.health.WorkerHealth;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON body of {@code /health}, with the field names of the existing worker plus a few more. */
final class HealthReport {

    private HealthReport() {}

    static Map<String, Object> of(WorkerHealth health, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", health.status().wireName());
        body.put("workerId", health.workerId());
        body.put("state", health.state());
        body.put("timestamp", now.toString());
        body.put("startedAt", text(health.startedAt()));
        // Seconds, like the existing worker's process.uptime().
        body.put("uptime", health.uptime().toMillis() / 1000.0);
        body.put("activeJobs", health.activeJobs());
        body.put("maxConcurrentJobs", health.maxConcurrentJobs());
        body.put("lastPollAt", text(health.lastPollAt()));
        body.put("lastClaimAt", text(health.lastClaimAt()));
        if (health.lastError() != null) {
            body.put("lastError", health.lastError());
            body.put("lastErrorAt", text(health.lastErrorAt()));
        }
        body.put("consecutivePollFailures", health.consecutivePollFailures());
        body.put("ready", health.ready());
        if (health.pausedUntil() != null) {
            // why "ready, but": the worker is fine; the fleet's LLM credential is paused (issue 22)
            body.put("pausedUntil", text(health.pausedUntil()));
            body.put(
                    "pause",
                    "ready, but paused until " + text(health.pausedUntil())
                            + ": the LLM API limited this worker's credential; the fleet claims nothing for it until"
                            + " then");
        }
        if (!health.notReadyBecause().isEmpty()) {
            body.put("notReadyBecause", health.notReadyBecause());
        }
        if (health.workerFault() != null) {
            body.put("workerFault", health.workerFault());
            body.put("nextFaultCheckAt", text(health.nextFaultCheck()));
        }
        body.put("pickup", health.pushLive() ? "push" : "poll");
        if (health.containment() != null) {
            Map<String, Object> containment = new LinkedHashMap<>();
            io.fondation.clibridge.process.ContainmentStatus status =
                    health.containment().status();
            containment.put("analyzer", health.containment().analyzer());
            containment.put("level", status.level().name().toLowerCase(java.util.Locale.ROOT));
            containment.put("mechanism", status.mechanism());
            containment.put("confinesWrites", status.confinesWrites());
            containment.put("treeDiesWithWorker", status.treeDiesWithJvm());
            if (!status.confinesWrites()) {
                containment.put("unconfinedAllowed", health.containment().unconfinedAllowed());
            }
            containment.put("detail", status.detail());
            body.put("containment", containment);
        }
        body.put("memory", memory());
        return body;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Map<String, Object> memory() {
        MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
        MemoryUsage heap = bean.getHeapMemoryUsage();
        MemoryUsage nonHeap = bean.getNonHeapMemoryUsage();
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("heapUsed", heap.getUsed());
        memory.put("heapTotal", heap.getCommitted());
        memory.put("heapMax", heap.getMax());
        memory.put("nonHeapUsed", nonHeap.getUsed());
        long rss = residentSetBytes();
        if (rss > 0) {
            memory.put("rss", rss);
        }
        return memory;
    }

    /** The resident set size from /proc (Linux; its second field counts pages, 4 KiB on usual systems), or -1 elsewhere. */
    private static long residentSetBytes() {
        try {
            String[] fields =
                    Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(fields[1]) * 4096L;
        } catch (Exception e) {
            return -1;
        }
    }
}
