// A policy unit's decision memo: on, keyed on what the bundle's manifest says the statement
// entrypoint reads (engine/reads, written by buildBundle); off, with the reason, for a policy that
// reads the clock, a bundle that says nothing (built elsewhere) or says it in an unknown form. A
// reload brings a new memo with the new unit, and the status reports it.

import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../../bundles/index.js';
import type { Bundle } from '../../../bundles/index.js';
import { createActivePolicy, makeUnit } from '../../../proxy/policy/index.js';
import type { LoadedBundle, PolicyEntrypoints } from '../../../proxy/policy/index.js';

const ENTRYPOINTS: PolicyEntrypoints = {
  statement: 'portcullis/decision',
  connection: 'portcullis/connection',
  approval: 'portcullis/approval',
  audit: 'portcullis/audit',
};

function bundleOf(body: string): Bundle {
  const built = buildBundle({ files: [{ name: 'p.rego', text: `package portcullis\n\n${body}\n` }], entrypoints: ['portcullis/decision'] });
  if (!built.ok) throw new Error(JSON.stringify(built.diagnostics));
  return built.bundle;
}

const READS_KIND = 'decision := {"allow": input.statement.kind == "select"}';
const READS_CLOCK = 'decision := {"allow": time.now_ns() > input.after}';

describe('a unit’s decision memo', () => {
  const cases: { note: string; bundle: () => Bundle; want: { kind: 'on'; paths: string[][] } | { kind: 'off'; reason: RegExp } }[] = [
    { note: 'a bundle built here', bundle: () => bundleOf(READS_KIND), want: { kind: 'on', paths: [['statement', 'kind']] } },
    { note: 'a policy that reads the clock', bundle: () => bundleOf(READS_CLOCK), want: { kind: 'off', reason: /calls time\.now_ns/ } },
    {
      note: 'a bundle that says nothing (built elsewhere)',
      bundle: () => {
        const { metadata: _m, ...manifest } = bundleOf(READS_KIND).manifest;
        return { ...bundleOf(READS_KIND), manifest };
      },
      want: { kind: 'off', reason: /does not record which input paths/ },
    },
    {
      note: 'a bundle that says it in an unknown form',
      bundle: () => {
        const b = bundleOf(READS_KIND);
        return { ...b, manifest: { ...b.manifest, metadata: { portcullis: { input_reads: { 'portcullis/decision': [[{ x: 1 }]] } } } } };
      },
      want: { kind: 'off', reason: /unknown form/ },
    },
  ];
  it.each(cases)('$note', async ({ bundle, want }) => {
    const unit = await makeUnit(bundle(), 'test', ENTRYPOINTS, () => undefined);
    if (want.kind === 'on') {
      expect(unit.memo).toMatchObject({ kind: 'on', paths: want.paths });
      expect(unit.memo.kind === 'on' && unit.memo.memo.policy).toBe(unit.policy);
    } else {
      expect(unit.memo.kind).toBe('off');
      expect(unit.memo.kind === 'off' && unit.memo.reason).toMatch(want.reason);
    }
  });

  it('comes new with each activated unit, and the status reports it', async () => {
    const first = bundleOf(READS_KIND);
    const initial = await makeUnit(first, 'first', ENTRYPOINTS, () => undefined);
    let next: LoadedBundle = { ok: true, bundle: bundleOf(READS_CLOCK), origin: 'second' };
    const active = createActivePolicy({
      initial,
      initialBundle: first,
      load: async () => next,
      entrypoints: ENTRYPOINTS,
      onPrint: () => undefined,
      publish: () => undefined,
    });
    const m = active.current().memo;
    if (m.kind !== 'on') throw new Error('memo off');
    m.memo.get(m.memo.keyOf({ statement: { kind: 'select' } }));
    expect(active.status().memo).toEqual({ on: true, paths: ['statement.kind'], hits: 0, misses: 1 });
    expect((await active.reload('api')).kind).toBe('activated');
    expect(active.status().memo).toMatchObject({ on: false, paths: [], hits: 0, misses: 0, reason: expect.stringMatching(/time\.now_ns/) });
    next = { ok: true, bundle: bundleOf(`${READS_KIND}\nother := 1`), origin: 'third' };
    expect((await active.reload('api')).kind).toBe('activated');
    const again = active.current().memo;
    expect(again.kind === 'on' && again.memo).not.toBe(m.memo);
  });
});
