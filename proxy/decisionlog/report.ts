// Drops are never silent, and never a flood: each sink counts what it loses and reports it through
// the operational log, coalesced per reason (the first drop at once, then at most one report a
// second with the count since the last), and flushed when the sink is flushed or closed.

import type { DecisionLogOpEvent, OpLog } from './types.js';

export type { OpLog } from './types.js';

/** DropReason is why a sink lost events. */
export type DropReason = Extract<DecisionLogOpEvent, { type: 'decision_log.dropped' }>['reason'];

/** DropCounter counts a sink's drops and reports them, coalesced. */
export type DropCounter = {
  /** drop counts `count` lost events for a reason and schedules their report. */
  drop(reason: DropReason, count: number, message?: string): void;
  /** total is every drop so far. */
  total(): number;
  /** report emits the pending counts now. */
  report(): void;
};

/** REPORT_INTERVAL_MS is the least time between two reports of the same reason. */
const REPORT_INTERVAL_MS = 1_000;

/** createDropCounter returns the counter of one sink, reporting to `log` (safe when `log` throws). */
export function createDropCounter(sink: string, log: OpLog | undefined): DropCounter {
  let total = 0;
  const pending = new Map<DropReason, { count: number; message?: string }>();
  const lastAt = new Map<DropReason, number>();
  let timer: NodeJS.Timeout | undefined;

  function emit(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    for (const [reason, p] of pending) {
      lastAt.set(reason, Date.now());
      safeLog(log, {
        type: 'decision_log.dropped',
        sink,
        reason,
        count: p.count,
        total,
        ...(p.message !== undefined ? { message: p.message } : {}),
      });
    }
    pending.clear();
  }

  return {
    drop(reason, count, message) {
      if (count <= 0) return;
      total += count;
      const p = pending.get(reason);
      pending.set(reason, { count: (p?.count ?? 0) + count, ...(message !== undefined ? { message } : {}) });
      const wait = REPORT_INTERVAL_MS - (Date.now() - (lastAt.get(reason) ?? 0));
      if (wait <= 0) emit();
      else if (timer === undefined) {
        timer = setTimeout(emit, wait);
        timer.unref();
      }
    },
    total: () => total,
    report: emit,
  };
}

/** OpLogFan sends a sink's operational events to every receiver attached. */
export type OpLogFan = { readonly emit: OpLog; listen(log: OpLog): void };

/** createOpLog returns a fan-out starting with `initial` (when given); a receiver that throws is skipped. */
export function createOpLog(initial?: OpLog): OpLogFan {
  const logs: OpLog[] = initial !== undefined ? [initial] : [];
  return {
    emit: (event) => {
      for (const log of logs) safeLog(log, event);
    },
    listen(log) {
      if (!logs.includes(log)) logs.push(log);
    },
  };
}

/** safeLog calls the operational log, which must never break a sink. */
export function safeLog(log: OpLog | undefined, event: DecisionLogOpEvent): void {
  try {
    log?.(event);
  } catch {
    // the operator's log failing is not the decision log's to handle
  }
}
