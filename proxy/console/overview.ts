// The overview the console shows live: statements per second by decision, computed as the
// difference between two successive reads of the metrics registry's counters divided by the time
// between them (the figures /metrics serves, so the console and a Prometheus rate() agree), with
// the live sessions and pending approvals as read.

import { OVERVIEW_DECISIONS } from './types.js';
import type { Overview, OverviewFigures } from './types.js';

/** OverviewSample is one read of the figures and when it was made (epoch milliseconds). */
export type OverviewSample = { readonly figures: OverviewFigures; readonly atMs: number };

/** overviewOf computes an overview from the previous read and this one (no previous read, or a counter reset: rate 0). */
export function overviewOf(previous: OverviewSample | undefined, current: OverviewSample): Overview {
  const seconds = previous === undefined ? 0 : (current.atMs - previous.atMs) / 1000;
  const rate = (decision: string): number => {
    if (previous === undefined || seconds <= 0) return 0;
    const delta = (current.figures.statements[decision] ?? 0) - (previous.figures.statements[decision] ?? 0);
    return delta <= 0 ? 0 : Math.round((delta / seconds) * 1000) / 1000;
  };
  const perSecond = Object.fromEntries(OVERVIEW_DECISIONS.map((d) => [d, rate(d)])) as Overview['statements_per_second'];
  return {
    sessions: current.figures.sessions,
    statements_per_second: perSecond,
    pending_approvals: current.figures.pendingApprovals,
    at: new Date(current.atMs).toISOString(),
  };
}

/** NO_FIGURES are the figures of a gateway that has none to give. */
export const NO_FIGURES: OverviewFigures = Object.freeze({ sessions: 0, statements: Object.freeze({}), pendingApprovals: 0 });
