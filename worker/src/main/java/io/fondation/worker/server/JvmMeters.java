package io.fondation.worker.server;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.Objects;

/**
 * The JVM, process and file-descriptor meters of a worker process (Micrometer's binders): memory and GC in bytes
 * and seconds, threads, classes, CPU, uptime, open and maximum file descriptors ({@code process_files_open_files},
 * {@code process_files_max_files}). Bound once per process by the assembly, not by {@code Worker}: an application
 * that embeds a worker binds them to its own registry already.
 *
 * <p>Two of Micrometer's names break Prometheus's conventions ({@code promtool check metrics} says so): the
 * process CPU time in nanoseconds ({@code process_cpu_time_ns_total}) is replaced by
 * {@code process_cpu_seconds_total}, the name Prometheus's own clients use, and {@code system_cpu_count} (a
 * {@code _count} suffix on a gauge) is published as {@code system_cpus}. {@link #newRegistry()} sets that up.
 */
public final class JvmMeters implements AutoCloseable {

    private static final String MICROMETER_CPU_TIME = "process.cpu.time";
    private static final String MICROMETER_CPU_COUNT = "system.cpu.count";

    private final JvmGcMetrics gc;

    private JvmMeters(JvmGcMetrics gc) {
        this.gc = gc;
    }

    /**
     * A Prometheus registry whose filters give the process meters their conventional names; filters must be in
     * place before the first meter is registered, hence here and not in {@link #bindTo}.
     */
    public static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config()
                .meterFilter(MeterFilter.deny(id -> id.getName().equals(MICROMETER_CPU_TIME)))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        return id.getName().equals(MICROMETER_CPU_COUNT) ? id.withName("system.cpus") : id;
                    }
                });
        return registry;
    }

    /** Binds every binder to {@code registry}; {@link #close()} stops the GC listener. */
    public static JvmMeters bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                && os.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9)
                    .description("CPU time the worker process used")
                    .baseUnit("seconds")
                    .register(registry);
        }
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return new JvmMeters(gc);
    }

    @Override
    public void close() {
        gc.close();
    }
}
