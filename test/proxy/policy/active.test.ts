// The active policy's reload rules, on real compiled bundles: a reload activates a new policy
// whole or not at all, the same content is `unchanged`, asks made during a reload share one run
// after it (the latest offered bundle wins), and a unit that cannot come up keeps the active one.

import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../../bundles/index.js';
import type { Bundle } from '../../../bundles/index.js';
import { createActivePolicy, makeUnit } from '../../../proxy/policy/index.js';
import type { ActivationEvent, LoadedBundle, PolicyEntrypoints } from '../../../proxy/policy/index.js';

const ENTRYPOINTS: PolicyEntrypoints = {
  statement: 'portcullis/decision',
  connection: 'portcullis/connection',
  approval: 'portcullis/approval',
  audit: 'portcullis/audit',
};

/** bundleSaying compiles a policy whose decision carries `word` (its data decides `note`). */
async function bundleSaying(word: string, data: Record<string, unknown> = {}, entrypoint = 'portcullis/decision'): Promise<Bundle> {
  const built = await buildBundle({
    files: [
      {
        name: 'p.rego',
        path: 'p.rego',
        text: `package portcullis\n\ndecision := {"allow": true, "word": "${word}", "note": note}\n\ndefault note := ""\n\nnote := data.config.note\n\nother := 1\n`,
      },
    ],
    data,
    entrypoints: [entrypoint],
  });
  if (!built.ok) throw new Error(JSON.stringify(built.diagnostics));
  return built.bundle;
}

function wordOf(active: ReturnType<typeof createActivePolicy>): unknown {
  const out = JSON.parse(active.current().policy.evaluateRaw('{}', 'portcullis/decision')) as { result: { word: string; note?: string } }[];
  const r = out[0]?.result;
  return r === undefined ? undefined : `${r.word}${r.note ? `/${r.note}` : ''}`;
}

async function setup(first: Bundle, load: () => Promise<LoadedBundle>) {
  const events: ActivationEvent[] = [];
  const initial = await makeUnit(first, 'first', ENTRYPOINTS, () => undefined);
  const active = createActivePolicy({
    initial,
    initialBundle: first,
    load,
    entrypoints: ENTRYPOINTS,
    onPrint: () => undefined,
    publish: (e) => events.push(e),
  });
  return { active, events };
}

describe('the active policy', () => {
  it('activates a changed policy, keeps the same content as unchanged, and data changes count', async () => {
    const a = await bundleSaying('a');
    let next: LoadedBundle = { ok: true, bundle: a, origin: 'same' };
    const { active, events } = await setup(a, async () => next);
    expect(wordOf(active)).toBe('a');
    expect(await active.reload('signal')).toMatchObject({ kind: 'unchanged', revision: active.status().revision });
    const first = active.status().revision;

    next = { ok: true, bundle: await bundleSaying('a', { config: { note: 'n1' } }), origin: 'data' };
    expect(await active.reload('signal')).toMatchObject({ kind: 'activated', previous: first });
    expect(wordOf(active)).toBe('a/n1');
    expect(active.status().revision).not.toBe(first);

    next = { ok: true, bundle: await bundleSaying('b'), origin: 'rule' };
    expect(await active.reload('api')).toMatchObject({ kind: 'activated' });
    expect(wordOf(active)).toBe('b');
    expect(events.map((e) => [e.type, e.trigger])).toEqual([
      ['policy.activated', 'signal'],
      ['policy.activated', 'api'],
    ]);
    expect(active.status()).toMatchObject({ origin: 'rule', reloads: 3, reloadFailures: 0, lastError: undefined });
  });

  it.each([
    {
      note: 'compile errors',
      loaded: async (): Promise<LoadedBundle> => ({ ok: false, reasons: ['p.rego:3: rego_parse_error: unexpected eof'] }),
      want: /rego_parse_error/,
    },
    {
      note: 'a loader that throws',
      loaded: async (): Promise<LoadedBundle> => Promise.reject(new Error('EACCES: permission denied')),
      want: /EACCES/,
    },
    {
      note: 'no statement entrypoint',
      loaded: async (): Promise<LoadedBundle> => ({ ok: true, bundle: await bundleSaying('x', {}, 'portcullis/other'), origin: 'o' }),
      want: /has no entrypoint portcullis\/decision/,
    },
    {
      note: 'Wasm that is not Wasm',
      loaded: async (): Promise<LoadedBundle> => {
        const b = await bundleSaying('x');
        return { ok: true, bundle: { ...b, wasm: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) }, origin: 'o' };
      },
      want: /cannot be loaded/,
    },
  ])('keeps the active policy when the new one fails: $note', async ({ loaded, want }) => {
    const { active, events } = await setup(await bundleSaying('a'), loaded);
    const before = active.status().revision;
    const outcome = await active.reload('watch');
    expect(outcome).toMatchObject({ kind: 'failed', revision: before });
    expect(outcome.kind === 'failed' ? outcome.reasons.join('\n') : '').toMatch(want);
    expect(wordOf(active)).toBe('a');
    expect(active.status()).toMatchObject({ revision: before, reloadFailures: 1, lastError: [expect.stringMatching(want)] });
    expect(events).toEqual([expect.objectContaining({ type: 'policy.reload_failed', trigger: 'watch', revision: before })]);
  });

  it('runs one reload at a time: asks made during one share a single run after it', async () => {
    let loads = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const bundles = [await bundleSaying('b'), await bundleSaying('c')];
    const { active } = await setup(await bundleSaying('a'), async () => {
      const n = loads++;
      if (n === 0) await gate;
      return { ok: true, bundle: bundles[Math.min(n, 1)] as Bundle, origin: `load ${n}` };
    });
    const first = active.reload('signal');
    const asks = [active.reload('api'), active.reload('watch'), active.reload('signal')];
    release();
    expect(await first).toMatchObject({ kind: 'activated' });
    const outcomes = await Promise.all(asks);
    expect(loads).toBe(2);
    expect(new Set(outcomes.map((o) => JSON.stringify(o))).size).toBe(1);
    expect(outcomes[0]).toMatchObject({ kind: 'activated' });
    expect(wordOf(active)).toBe('c');
  });

  it('activates the latest bundle offered while a reload runs', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { active } = await setup(await bundleSaying('a'), async () => {
      await gate;
      return { ok: true, bundle: await bundleSaying('b'), origin: 'slow' };
    });
    const slow = active.reload('signal');
    const offers = [
      active.offer({ ok: true, bundle: await bundleSaying('c'), origin: 'c' }, 'poll'),
      active.offer({ ok: true, bundle: await bundleSaying('d'), origin: 'd' }, 'poll'),
    ];
    release();
    await slow;
    const [c, d] = await Promise.all(offers);
    expect(c).toEqual(d);
    expect(wordOf(active)).toBe('d');
    expect(active.status().origin).toBe('d');
  });
});
