// mergeTombstones: a journal's tombstones whose ranges touch or overlap become one (the hash of the
// one reaching furthest, the newest reason), so tombstones carried forward prune after prune do not
// pile up; separate gaps and other journals stay apart.

import { describe, expect, it } from 'vitest';
import { mergeTombstones } from '../../../proxy/recording/index.js';
import type { TombstoneBody } from '../../../proxy/recording/index.js';

const t = (journal: string, from: number, to: number, reason = 'retention 30d'): TombstoneBody => ({
  kind: 'tombstone',
  journal,
  from_seq: from,
  to_seq: to,
  last_hash: `h${journal}${to}`,
  reason,
});
const CARRIED = 'retention 30d (carried forward)';

describe('mergeTombstones', () => {
  it.each([
    { note: 'nothing', given: [], want: [] },
    { note: 'one', given: [t('a', 1, 5)], want: [t('a', 1, 5)] },
    { note: 'adjacent ranges of one journal', given: [t('a', 1, 10, CARRIED), t('a', 11, 13)], want: [t('a', 1, 13)] },
    { note: 'given out of order', given: [t('a', 11, 13), t('a', 1, 10, CARRIED)], want: [t('a', 1, 13)] },
    { note: 'overlapping ranges', given: [t('a', 1, 10, CARRIED), t('a', 5, 8, CARRIED)], want: [t('a', 1, 10, CARRIED)] },
    { note: 'a gap between them', given: [t('a', 1, 4), t('a', 6, 9)], want: [t('a', 1, 4), t('a', 6, 9)] },
    { note: 'other journals apart', given: [t('a', 1, 4), t('b', 5, 9)], want: [t('a', 1, 4), t('b', 5, 9)] },
    {
      note: 'a year of hourly prunes carried forward',
      given: [...Array.from({ length: 8760 }, (_, i) => t('a', i * 10 + 1, i * 10 + 10, CARRIED)), t('a', 87_601, 87_610)],
      want: [t('a', 1, 87_610)],
    },
  ])('$note', ({ given, want }) => {
    expect(mergeTombstones(given)).toEqual(want);
  });
});
