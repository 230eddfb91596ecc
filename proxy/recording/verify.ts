// Verifying the recording: each journal, read in seq order, must be an unbroken hash chain. A
// record whose hash is not the hash of its own content was altered; a gap in the seqs (or a
// record whose content says it belongs further on, the ones between gone) is a removal; a record
// the next one skips over was inserted; a record whose predecessor comes after it was reordered.
// Each incident is reported once, at the first bad record. A journal may start after seq 1 only
// where tombstones (retention, retention.ts) cover [1, first - 1] and the last of them names the
// hash the first remaining record links to.

import { contentHash, legacyRecordHash } from './chain.js';
import { readJournals } from './segments.js';
import type { ChainedRecord, TombstoneBody } from './types.js';

/** ChainProblemKind says what happened to a journal at a record. */
export type ChainProblemKind = 'altered' | 'removed' | 'inserted' | 'reordered';

/** ChainProblem is one incident: the journal, the seq of the first bad record, what happened and a line of detail. */
export type ChainProblem = {
  readonly journal: string;
  readonly seq: number;
  readonly kind: ChainProblemKind;
  readonly detail: string;
};

/** VerifyReport is the outcome of a verification: ok when no problem was found. */
export type VerifyReport = {
  readonly ok: boolean;
  readonly journals: number;
  readonly records: number;
  readonly problems: readonly ChainProblem[];
};

/** LOOKAHEAD is how many later records a check may look at to tell a reordering from a removal. */
const LOOKAHEAD = 4;
/** RENUMBER_RANGE bounds the seq offsets tried for a record whose hash fails at its own seq. */
const RENUMBER_RANGE = 3;

type Seen = { readonly seq: number; readonly hash: string };
type First = { readonly journal: string; readonly seq: number; readonly prev: string };

/** JournalCheck checks one journal's records, fed in seq order. */
class JournalCheck {
  private readonly buffer: ChainedRecord[] = [];
  private last: Seen | undefined;
  private beforeLast: Seen | undefined;
  private delta = 0;
  private troubled = false;
  first: First | undefined;
  private readonly journal: string;
  private readonly report: (p: ChainProblem) => void;

  constructor(journal: string, report: (p: ChainProblem) => void) {
    this.journal = journal;
    this.report = report;
  }

  push(r: ChainedRecord): void {
    this.buffer.push(r);
    if (this.buffer.length > LOOKAHEAD) this.step();
  }

  end(): void {
    while (this.buffer.length > 0) this.step();
  }

  private problem(seq: number, kind: ChainProblemKind, detail: string): void {
    this.report({ journal: this.journal, seq, kind, detail });
    this.troubled = true;
  }

  /** originalSeq is the seq the record's hash was made for (its own, or renumbered nearby), undefined when none fits. */
  private originalSeq(r: ChainedRecord): number | undefined {
    const fits = (s: number): boolean =>
      s >= 1 &&
      (contentHash(r.prev, this.journal, s, r.at, r.bodyJson) === r.hash ||
        legacyRecordHash(r.prev, this.journal, s, r.at, r.body) === r.hash);
    if (fits(r.seq + this.delta)) return r.seq + this.delta;
    for (let d = -RENUMBER_RANGE; d <= RENUMBER_RANGE; d++) if (d !== this.delta && fits(r.seq + d)) return r.seq + d;
    return undefined;
  }

  private step(): void {
    const r = this.buffer.shift() as ChainedRecord;
    const ahead = this.buffer;
    const orig = this.originalSeq(r);
    const newDelta = orig === undefined ? this.delta : orig - r.seq;
    const last = this.last;
    const wasTroubled = this.troubled;
    this.troubled = false;
    if (last === undefined) {
      this.first = { journal: this.journal, seq: r.seq, prev: r.prev };
      if (orig === undefined) this.problem(r.seq, 'altered', 'its hash is not the hash of its content');
      else if (r.seq === 1 && r.prev !== '') this.problem(r.seq, 'altered', 'the first record links to a previous record');
    } else if (r.seq !== last.seq + 1) {
      const from = last.seq + 1;
      const to = r.seq - 1;
      this.problem(from, 'removed', from === to ? `seq ${from} is missing` : `seqs ${from}..${to} are missing`);
    } else if (r.prev !== last.hash) {
      if (wasTroubled) {
        // the same incident as the record before (it was altered or moved): already reported
        this.troubled = true;
      } else if (this.beforeLast !== undefined && r.prev === this.beforeLast.hash) {
        this.problem(last.seq, 'inserted', `seq ${r.seq} links to seq ${this.beforeLast.seq}, so seq ${last.seq} does not belong`);
      } else if (ahead.some((a) => a.hash === r.prev)) {
        this.problem(r.seq, 'reordered', `the record seq ${r.seq} links to comes after it`);
      } else if (orig !== undefined && newDelta > this.delta) {
        const n = newDelta - this.delta;
        this.problem(
          r.seq,
          'removed',
          `${n} record${n === 1 ? '' : 's'} before seq ${r.seq} are missing and later records were renumbered`,
        );
      } else if (orig === undefined) {
        this.problem(r.seq, 'altered', `its hash is not the hash of its content, and it does not link to seq ${last.seq}`);
      } else {
        this.problem(last.seq, 'altered', `seq ${r.seq} links to a different hash than seq ${last.seq} has (seq ${last.seq} was replaced)`);
      }
    } else if (orig === undefined) {
      this.problem(r.seq, 'altered', 'its hash is not the hash of its content');
    } else if (orig !== r.seq + this.delta && !wasTroubled) {
      this.problem(r.seq, 'reordered', `its content is that of seq ${orig}`);
    }
    this.delta = newDelta;
    this.beforeLast = last;
    this.last = { seq: r.seq, hash: r.hash };
  }
}

/** ChainVerifier checks records of any journals (each journal's in seq order) as they come, then the tombstones. */
export type ChainVerifier = { push(r: ChainedRecord): void; finish(): VerifyReport };

/** createVerifier makes a ChainVerifier (verifyChain and verifyStore feed one). */
export function createVerifier(): ChainVerifier {
  const problems: ChainProblem[] = [];
  const checks = new Map<string, JournalCheck>();
  const tombstones: TombstoneBody[] = [];
  let records = 0;
  return {
    push(r) {
      records++;
      let check = checks.get(r.journal);
      if (check === undefined) {
        check = new JournalCheck(r.journal, (p) => problems.push(p));
        checks.set(r.journal, check);
      }
      check.push(r);
      if (typeof r.body === 'object' && r.body !== null && r.body.kind === 'tombstone') tombstones.push(r.body);
    },
    finish() {
      for (const check of checks.values()) {
        check.end();
        const first = check.first;
        if (first !== undefined && first.seq > 1) {
          const gap = coveredByTombstones(first, tombstones);
          if (gap !== undefined) problems.push({ journal: first.journal, seq: gap.seq, kind: 'removed', detail: gap.detail });
        }
      }
      problems.sort((a, b) => (a.journal < b.journal ? -1 : a.journal > b.journal ? 1 : a.seq - b.seq));
      return { ok: problems.length === 0, journals: checks.size, records, problems };
    },
  };
}

/** coveredByTombstones says what is wrong with a journal starting at first.seq > 1 (undefined: tombstones cover it). */
function coveredByTombstones(first: First, all: readonly TombstoneBody[]): { seq: number; detail: string } | undefined {
  const mine = all.filter((t) => t.journal === first.journal).sort((a, b) => a.from_seq - b.from_seq);
  let covered = 0;
  let lastHash: string | undefined;
  for (const t of mine) {
    if (t.from_seq > covered + 1) break;
    if (t.to_seq > covered) {
      covered = t.to_seq;
      lastHash = t.last_hash;
    }
  }
  if (covered < first.seq - 1) {
    const from = covered + 1;
    return { seq: from, detail: `seqs ${from}..${first.seq - 1} are missing and no tombstone covers them` };
  }
  if (covered === first.seq - 1 && lastHash !== first.prev) {
    return { seq: first.seq, detail: `the tombstone ending at seq ${covered} names a different hash than seq ${first.seq} links to` };
  }
  return undefined;
}

/** verifyChain verifies records (each journal's in seq order; journals may interleave) and the tombstones among them. */
export async function verifyChain(records: AsyncIterable<ChainedRecord> | Iterable<ChainedRecord>): Promise<VerifyReport> {
  const v = createVerifier();
  for await (const r of records) v.push(r);
  return v.finish();
}

/** verifyDir verifies the local journals in dir (torn final lines ignored). */
export function verifyDir(dir: string): Promise<VerifyReport> {
  return verifyChain(readJournals(dir));
}

/** StoreReader is what verifyStore needs of the state store. */
export type StoreReader = {
  query(sql: string, params?: readonly (string | null)[]): Promise<{ readonly rows: readonly (readonly (string | null)[])[] }>;
};

/** VERIFY_PAGE is how many rows verifyStore reads at once. */
const VERIFY_PAGE = 5000;

/** ISO_AT renders a timestamptz as toISOString() does (the form records are hashed with). */
export const ISO_AT = `to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** parseBody parses a stored body's text (text that is not JSON stays a string: its hash then fails). */
function parseBody(text: string): ChainedRecord['body'] {
  try {
    return JSON.parse(text) as ChainedRecord['body'];
  } catch {
    return text as unknown as ChainedRecord['body'];
  }
}

/** verifyStore verifies every journal shipped to the state store (portcullis.recording_records), page by page. */
export async function verifyStore(store: StoreReader): Promise<VerifyReport> {
  const v = createVerifier();
  const journals = await store.query('SELECT DISTINCT journal FROM portcullis.recording_records ORDER BY journal');
  for (const [journal] of journals.rows) {
    let after = '0';
    for (;;) {
      const page = await store.query(
        `SELECT seq::text AS seq_text, ${ISO_AT}, prev, hash, body::text FROM portcullis.recording_records
         WHERE journal = $1 AND seq > $2::bigint ORDER BY seq LIMIT ${VERIFY_PAGE}`,
        [journal ?? '', after],
      );
      for (const [seq, at, prev, hash, body] of page.rows) {
        const bodyJson = body ?? 'null';
        v.push({
          journal: journal ?? '',
          seq: Number(seq),
          at: at ?? '',
          prev: prev ?? '',
          hash: hash ?? '',
          body: parseBody(bodyJson),
          bodyJson,
        });
      }
      if (page.rows.length < VERIFY_PAGE) break;
      after = page.rows.at(-1)?.[0] ?? after;
    }
  }
  return v.finish();
}
