package io.fondation.engine.runtime;

import io.fondation.engine.events.EventSink;
import io.fondation.engine.events.WorkerEvent;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one event channel of a worker: each {@link WorkerEvent} goes to every sink, in the order they were given
 * (metrics, health and the log first, then the listeners), and a sink that throws is logged and passed over: a
 * display bug must not fail a job.
 */
final class EventChannel implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(EventChannel.class);

    private final List<EventSink> sinks;

    EventChannel(List<? extends EventSink> sinks) {
        this.sinks = List.copyOf(Objects.requireNonNull(sinks, "sinks"));
    }

    @Override
    public void publish(WorkerEvent event) {
        for (EventSink sink : sinks) {
            try {
                sink.publish(event);
            } catch (RuntimeException e) {
                LOG.warn("worker event sink failed on {}", event.getClass().getSimpleName(), e);
            }
        }
    }
}
