package io.fondation.engine.runtime;

import io.fondation.engine.events.EventSink;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * What the heartbeats of all of a worker's jobs share.
 *
 * @param scheduler where they run (never a job's own thread, which waits for its analyzer); in manual mode one that
 *     runs nothing, so that they are sent only when the driver says so
 * @param timing their pacing
 * @param clock the time of leases and deadlines, the queue's time
 * @param ticker a monotonic nanosecond ticker, for the throttle (it limits calls per unit of real time)
 * @param events where what they learn goes (the metrics and the health hear it)
 */
record Heartbeats(
        ScheduledExecutorService scheduler,
        HeartbeatTiming timing,
        Clock clock,
        LongSupplier ticker,
        EventSink events) {

    Heartbeats {
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(events, "events");
    }
}
