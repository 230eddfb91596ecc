// Conformance ratchet: the committed expected outcomes (test/conformance/expected.json: per case,
// per host, pass/fail/skip), their comparison with a run (every difference is a finding), the
// report of the differences, and the `--update-expected` rewrite of one host's column. Pure.

import type { CaseResult } from './report.js';
import type { HostName, Outcome } from './run-case.js';

/** ExpectedStatus is what the file records of a case (a timeout or crash is recorded as `fail`). */
export type ExpectedStatus = 'pass' | 'fail' | 'skip';

/** ExpectedFile maps a case id to its expected status on each host that has one. */
export type ExpectedFile = Readonly<Record<string, Readonly<Partial<Record<HostName, ExpectedStatus>>>>>;

/** Change is one case whose outcome differs from the file (`undefined`: absent from the file / not run). */
export type Change = { readonly id: string; readonly expected?: ExpectedStatus; readonly got?: ExpectedStatus; readonly detail?: string };

/** Verdict sorts the differences between a run and the file, for one host. */
export type Verdict = {
  /** expected to pass, did not. */
  readonly regressions: readonly Change[];
  /** expected to fail or skip, passed. */
  readonly newlyPassing: readonly Change[];
  /** expected to fail, skipped, or the other way round. */
  readonly changed: readonly Change[];
  /** ran, but the file has no outcome for this host. */
  readonly added: readonly Change[];
  /** in the file for this host, but not in the corpus (only judged when the whole corpus ran). */
  readonly removed: readonly Change[];
};

const STATUSES: readonly string[] = ['pass', 'fail', 'skip'];

/** statusOf reduces an outcome to what the file records. */
export function statusOf(o: Outcome): ExpectedStatus {
  return o.status === 'pass' || o.status === 'skip' ? o.status : 'fail';
}

function detailOf(o: Outcome): string | undefined {
  if (o.status === 'skip') return `unsupported: ${o.builtins.join(', ')}`;
  return o.status === 'pass' ? undefined : `${o.status === 'fail' ? '' : `${o.status}: `}${o.reason}`;
}

/** compareExpected compares a run on `host` with the file; `complete` says the whole corpus ran (no filter). */
export function compareExpected(file: ExpectedFile, host: HostName, results: readonly CaseResult[], complete: boolean): Verdict {
  const regressions: Change[] = [];
  const newlyPassing: Change[] = [];
  const changed: Change[] = [];
  const added: Change[] = [];
  const ran = new Set<string>();
  for (const r of results) {
    ran.add(r.id);
    const expected = file[r.id]?.[host];
    const got = statusOf(r.outcome);
    if (expected === got) continue;
    const change: Change = { id: r.id, expected, got, detail: detailOf(r.outcome) };
    if (expected === undefined) added.push(change);
    else if (expected === 'pass') regressions.push(change);
    else if (got === 'pass') newlyPassing.push(change);
    else changed.push(change);
  }
  const removed: Change[] = [];
  if (complete) {
    for (const [id, hosts] of Object.entries(file)) {
      const expected = hosts[host];
      if (expected !== undefined && !ran.has(id)) removed.push({ id, expected });
    }
  }
  return { regressions, newlyPassing, changed, added, removed: removed.sort((a, b) => compareIds(a.id, b.id)) };
}

/** differences is the number of findings in a verdict (0: the run matches the file). */
export function differences(v: Verdict): number {
  return v.regressions.length + v.newlyPassing.length + v.changed.length + v.added.length + v.removed.length;
}

function changeLine(c: Change): string {
  const detail = c.detail === undefined ? '' : `: ${c.detail.length > 160 ? `${c.detail.slice(0, 159)}…` : c.detail}`;
  return `  ${c.id} (expected ${c.expected ?? 'nothing'}, got ${c.got ?? 'nothing'})${detail}`;
}

/** formatVerdict renders the verdict for the report; `updateHint` (if any) is the command that rewrites the file. */
export function formatVerdict(v: Verdict, where: string, updateHint?: string): string[] {
  const n = differences(v);
  if (n === 0) return [`expected outcomes (${where}): every case as expected`];
  const lines = [`expected outcomes (${where}): ${n === 1 ? '1 case differs' : `${n} cases differ`}`];
  const groups: [string, readonly Change[]][] = [
    ['expected to pass, did not', v.regressions],
    ['newly passing (a fix? record it)', v.newlyPassing],
    ['failing differently (fail <-> skip)', v.changed],
    ['not in the file', v.added],
    ['in the file, gone from the corpus', v.removed],
  ];
  for (const [title, changes] of groups) {
    if (changes.length === 0) continue;
    lines.push(`${title} (${changes.length}):`, ...changes.map(changeLine));
  }
  if (updateHint !== undefined) lines.push(`if every difference is intended, record the new outcomes: ${updateHint}`);
  return lines;
}

/** compareIds orders case ids by file path, then by case index numerically. */
export function compareIds(a: string, b: string): number {
  const [pa = '', ia = '0'] = a.split('#');
  const [pb = '', ib = '0'] = b.split('#');
  if (pa !== pb) return pa < pb ? -1 : 1;
  return Number(ia) - Number(ib);
}

/** updateExpected returns the file with `host`'s column set from the run (cases gone from a complete run dropped). */
export function updateExpected(file: ExpectedFile, host: HostName, results: readonly CaseResult[], complete: boolean): ExpectedFile {
  const out: Record<string, Partial<Record<HostName, ExpectedStatus>>> = {};
  for (const [id, hosts] of Object.entries(file)) {
    const rest = { ...hosts };
    if (complete) delete rest[host];
    if (Object.keys(rest).length > 0) out[id] = rest;
  }
  for (const r of results) out[r.id] = { ...out[r.id], [host]: statusOf(r.outcome) };
  return out;
}

/** parseExpected reads the file's JSON text, rejecting anything that is not id → host → status. */
export function parseExpected(text: string, hosts: readonly HostName[]): ExpectedFile {
  const json: unknown = JSON.parse(text);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('expected outcomes: not a JSON object');
  for (const [id, entry] of Object.entries(json)) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`expected outcomes: ${id} is not an object`);
    for (const [host, status] of Object.entries(entry)) {
      if (!(hosts as readonly string[]).includes(host)) throw new Error(`expected outcomes: ${id} names unknown host ${host}`);
      if (typeof status !== 'string' || !STATUSES.includes(status))
        throw new Error(`expected outcomes: ${id} ${host} is ${JSON.stringify(status)}, not pass/fail/skip`);
    }
  }
  return json as ExpectedFile;
}

/** serialiseExpected writes the file as JSON, one case per line in id order, hosts in `hosts` order. */
export function serialiseExpected(file: ExpectedFile, hosts: readonly HostName[]): string {
  const ids = Object.keys(file).sort(compareIds);
  const lines = ids.map((id, i) => {
    const entry = file[id] ?? {};
    const fields = hosts.filter((h) => entry[h] !== undefined).map((h) => `${JSON.stringify(h)}: ${JSON.stringify(entry[h])}`);
    return `  ${JSON.stringify(id)}: { ${fields.join(', ')} }${i === ids.length - 1 ? '' : ','}`;
  });
  return ids.length === 0 ? '{}\n' : `{\n${lines.join('\n')}\n}\n`;
}
