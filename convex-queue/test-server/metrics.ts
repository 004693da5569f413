import { TransactionMetricsTracker } from "convex-test/dist/transactionMetrics.js";

/*
 * What each top-level transaction read and wrote, as convex-test counts it against Convex's per-transaction limits
 * (documents read, index ranges, bytes): measured from outside the functions, so that a function cannot misreport
 * its own cost. convex-test keeps these counts in a TransactionMetricsTracker that it drops when the transaction
 * ends; the hook below reads them just before.
 */

/** The usage of one transaction (a query or a mutation, with what it ran nested). */
export interface TransactionUsage {
  readonly documentsRead: number;
  /** Index ranges read: calls to db.get and db.query (Convex's limit: 4,096). */
  readonly databaseQueries: number;
  readonly bytesRead: number;
  readonly documentsWritten: number;
  readonly bytesWritten: number;
}

type Listener = (usage: TransactionUsage) => void;

const listeners = new Set<Listener>();
let installed = false;

interface TrackerInternals {
  _layers: unknown[];
  getTransactionMetrics(): Record<keyof TransactionUsage, { used: number }>;
}

function report(tracker: TrackerInternals): void {
  // Only the outermost layer is the whole transaction; nested runQuery/runMutation layers fold into it.
  if (listeners.size === 0 || tracker._layers.length !== 1) return;
  const metrics = tracker.getTransactionMetrics();
  const usage: TransactionUsage = {
    documentsRead: metrics.documentsRead.used,
    databaseQueries: metrics.databaseQueries.used,
    bytesRead: metrics.bytesRead.used,
    documentsWritten: metrics.documentsWritten.used,
    bytesWritten: metrics.bytesWritten.used,
  };
  for (const listener of listeners) listener(usage);
}

function install(): void {
  if (installed) return;
  installed = true;
  const prototype = TransactionMetricsTracker.prototype as unknown as {
    commit(this: TrackerInternals): void;
    rollback(this: TrackerInternals): void;
  };
  const commit = prototype.commit;
  const rollback = prototype.rollback;
  prototype.commit = function (this: TrackerInternals) {
    report(this);
    commit.call(this);
  };
  prototype.rollback = function (this: TrackerInternals) {
    report(this);
    rollback.call(this);
  };
}

/** Calls `listener` with the usage of every transaction that ends from now on; returns the way to stop. */
export function onTransaction(listener: Listener): () => void {
  install();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Runs `task` and returns its result with the usage of the transactions that ended meanwhile. */
export async function measured<T>(task: () => Promise<T>): Promise<{ result: T; usage: TransactionUsage[] }> {
  const usage: TransactionUsage[] = [];
  const stop = onTransaction((u) => usage.push(u));
  try {
    return { result: await task(), usage };
  } finally {
    stop();
  }
}
