// Conformance reporting: per-case outcomes in, totals per folder, the language-semantics pass
// rate, the human-readable report, the `--json` summary and the exit code out (the expected-outcomes
// ratchet itself is expected.ts). Pure.

import type { Outcome } from './run-case.js';

/** BUILTIN_FOLDERS are the corpus folders about builtin families; every other folder is language semantics. */
export const BUILTIN_FOLDERS: ReadonlySet<string> = new Set([
  'aggregates',
  'base64builtins',
  'casts',
  'globmatch',
  'jsonbuiltins',
  'objectget',
  'regexmatch',
  'semvercompare',
  'sprintf',
  'strings',
  'time',
  'units',
]);

/** CaseResult is one case's identity and outcome. */
export type CaseResult = { readonly id: string; readonly folder: string; readonly note: string; readonly outcome: Outcome };

/** Counts are the totals of a group of cases (timeouts and crashes count as failed). */
export type Counts = { total: number; passed: number; failed: number; skipped: number };

/** Summary is the `--json` output shape. */
export type Summary = Counts & { byFolder: Record<string, Counts> };

const zero = (): Counts => ({ total: 0, passed: 0, failed: 0, skipped: 0 });

function add(c: Counts, o: Outcome): void {
  c.total++;
  if (o.status === 'pass') c.passed++;
  else if (o.status === 'skip') c.skipped++;
  else c.failed++;
}

/** summarise counts outcomes overall and per folder (folders in sorted order). */
export function summarise(results: readonly CaseResult[]): Summary {
  const all = zero();
  const byFolder: Record<string, Counts> = {};
  for (const folder of [...new Set(results.map((r) => r.folder))].sort()) byFolder[folder] = zero();
  for (const r of results) {
    add(all, r.outcome);
    add(byFolder[r.folder] as Counts, r.outcome);
  }
  return { ...all, byFolder };
}

/** languageCounts totals the language-semantics folders (all but BUILTIN_FOLDERS). */
export function languageCounts(s: Summary): Counts {
  const c = zero();
  for (const [folder, f] of Object.entries(s.byFolder)) {
    if (BUILTIN_FOLDERS.has(folder)) continue;
    c.total += f.total;
    c.passed += f.passed;
    c.failed += f.failed;
    c.skipped += f.skipped;
  }
  return c;
}

/** passRate is passed / total (skips count as not passed); 1 for an empty group. */
export function passRate(c: Counts): number {
  return c.total === 0 ? 1 : c.passed / c.total;
}

/** exitCode is 1 when any case differs from the expected outcomes (`differences`), timed out or crashed a worker. */
export function exitCode(results: readonly CaseResult[], differences: number): number {
  const broke = results.some((r) => r.outcome.status === 'timeout' || r.outcome.status === 'crash');
  return broke || differences > 0 ? 1 : 0;
}

/** skipsByBuiltin groups skipped case ids by the unsupported builtin (a case needing several is listed under each). */
export function skipsByBuiltin(results: readonly CaseResult[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of results) {
    if (r.outcome.status !== 'skip') continue;
    for (const b of r.outcome.builtins) m.set(b, [...(m.get(b) ?? []), r.id]);
  }
  return new Map([...m.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1)));
}

function reasonOf(o: Outcome): string {
  switch (o.status) {
    case 'fail':
    case 'timeout':
    case 'crash':
      return `${o.status === 'fail' ? '' : `${o.status}: `}${o.reason}`;
    case 'pass':
    case 'skip':
      return '';
    default:
      return assertNeverOutcome(o);
  }
}

function assertNeverOutcome(x: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(x)}`);
}

function truncate(s: string, n = 200): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/**
 * formatReport renders the human report, `extra` lines (the ratchet's verdict) just before the last
 * line, which is exactly `conformance: N passed, N failed, N skipped`.
 */
export function formatReport(results: readonly CaseResult[], extra: readonly string[] = []): string {
  const s = summarise(results);
  const lines: string[] = [];
  const width = Math.max(8, ...Object.keys(s.byFolder).map((f) => f.length));
  for (const [folder, c] of Object.entries(s.byFolder)) {
    lines.push(
      `${folder.padEnd(width)}  ${`${c.passed}/${c.total}`.padStart(7)}  ${String(c.failed).padStart(3)} failed  ${String(c.skipped).padStart(3)} skipped`,
    );
  }
  const failing = results.filter((r) => r.outcome.status !== 'pass' && r.outcome.status !== 'skip');
  if (failing.length > 0) {
    lines.push('', `failing cases (${failing.length}):`);
    for (const r of failing) lines.push(`${r.id} ${r.note}: ${truncate(reasonOf(r.outcome))}`);
  }
  const skips = skipsByBuiltin(results);
  if (skips.size > 0) {
    lines.push('', 'skipped (unsupported builtins):');
    for (const [b, ids] of skips) lines.push(`  ${b}: ${ids.length} (${truncate(ids.join(', '), 160)})`);
  }
  const lang = languageCounts(s);
  const pct = (passRate(lang) * 100).toFixed(1);
  lines.push('', `language semantics: ${lang.passed}/${lang.total} passed (${pct}%)`);
  if (extra.length > 0) lines.push('', ...extra);
  lines.push(`conformance: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
  return lines.join('\n');
}
