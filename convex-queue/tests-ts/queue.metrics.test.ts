import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { SECRET, claim, configureSecret, enqueue, mutate, newConvex, read, useClock, resetSecret } from "./support";

beforeEach(() => configureSecret());
afterEach(() => {
  resetSecret();
  vi.restoreAllMocks();
});

test("metrics: depth, running, counts by status, last hour's throughput, success rate, average duration", async () => {
  const clock = useClock();
  const t = newConvex();
  expect(await read(t, "queue:getMetrics", { workerSecret: SECRET })).toMatchObject({
    queueDepth: 0,
    running: 0,
    jobsLastHour: 0,
    successRate: null,
    averageDurationMs: null,
  });

  // An old job completed two hours ago does not count in the last hour.
  const old = await enqueue(t);
  const oldLease = await claim(t);
  clock.advance(60_000);
  await mutate(t, "queue:complete", { jobId: old, workerId: "worker-a", leaseToken: oldLease.leaseToken, workerSecret: SECRET });
  clock.advance(2 * 3_600_000);

  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push(await enqueue(t, { maxAttempts: 1 }));
  const leases = [];
  for (let i = 0; i < 4; i++) leases.push(await claim(t, `w${i}`));
  // Two complete after 10 s and 30 s, one fails for good, one keeps running; two stay pending.
  clock.advance(10_000);
  await mutate(t, "queue:complete", { jobId: ids[0], workerId: "w0", leaseToken: leases[0].leaseToken, workerSecret: SECRET });
  clock.advance(20_000);
  await mutate(t, "queue:complete", { jobId: ids[1], workerId: "w1", leaseToken: leases[1].leaseToken, workerSecret: SECRET });
  await mutate(t, "queue:retryOrFail", { jobId: ids[2], workerId: "w2", leaseToken: leases[2].leaseToken, error: "e", workerSecret: SECRET });
  await mutate(t, "queue:heartbeat", { jobId: ids[3], workerId: "w3", leaseToken: leases[3].leaseToken, status: "running", workerSecret: SECRET });

  const metrics = await read(t, "queue:getMetrics", { workerSecret: SECRET });
  expect(metrics).toEqual({
    queueDepth: 2,
    running: 1,
    byStatus: {
      pending: 2,
      claimed: 0,
      cloning: 0,
      analyzing: 0,
      gathering: 0,
      running: 1,
      completed: 3,
      failed: 0,
      canceled: 0,
      dead: 1,
    },
    cappedStatuses: [],
    jobsLastHour: 6,
    completedLastHour: 2,
    failedLastHour: 1,
    successRate: 2 / 3,
    averageDurationMs: 20_000,
    timestamp: clock.now(),
  });
});
