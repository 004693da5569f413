import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();

// Why: the existing deployment defined reclaimExpired but never scheduled it, so a crashed
// worker's job stayed claimed forever. Once a minute bounds how long such a job waits beyond its lease.
crons.interval("reclaim expired job leases", { minutes: 1 }, internal.queue.reclaimExpired, {});
// Why: pending rows inserted by code that sets no user key (the web app's own functions) take turns only once
// adopted; claims adopt a few each, this catches up with a backlog.
crons.interval("adopt pending jobs into fair claims", { minutes: 1 }, internal.queue.adoptPending, {});

// Why: a checkpoint whose job ended through a path that did not delete it, or whose job waits for a week, would
// otherwise stay for good.
crons.interval("expire orphaned checkpoints", { hours: 1 }, internal.checkpoints.expireOrphans, {});

export default crons;
