// The per-stage attribution of the gateway's CPU profile (stages.ts): which frame belongs to which
// stage, the innermost stage frame on a sample's stack winning, WebAssembly told apart by what
// called it, idle and the profiler's own calls left out, sample durations, and the printed table.

import { describe, expect, it } from 'vitest';
import { attributeStages, frameStage, renderStages } from './stages.js';
import type { CpuProfile, ProfileNode, Stage, StageTimes } from './stages.js';

const ROOT = '/repo';

/** Frame is a call frame as `name@url`; a url starting with a repository path gets the file:// form V8 gives. */
type Frame = { readonly functionName: string; readonly url: string };
const f = (spec: string): Frame => {
  const at = spec.lastIndexOf('@');
  const [functionName, url] = at < 0 ? [spec, ''] : [spec.slice(0, at), spec.slice(at + 1)];
  return { functionName, url: /^(proxy|engine|test|node_modules)\//.test(url) ? `file://${ROOT}/${url}` : url };
};

/** ProfileBuilder builds a call tree from stacks (innermost frame first, as a profiler reports them). */
class ProfileBuilder {
  readonly nodes: Array<ProfileNode & { children: number[] }> = [{ id: 1, callFrame: { functionName: '(root)', url: '' }, children: [] }];
  /** add returns the id of the node at the end of `stack` (innermost first) under (root), creating what is missing. */
  add(stack: readonly string[]): number {
    let at = this.nodes[0] as ProfileNode & { children: number[] };
    for (const spec of [...stack].reverse()) {
      const frame = f(spec);
      const found = at.children
        .map((id) => this.nodes.find((n) => n.id === id))
        .find((n) => n !== undefined && n.callFrame.functionName === frame.functionName && n.callFrame.url === frame.url);
      if (found !== undefined) at = found;
      else {
        const node = { id: this.nodes.length + 1, callFrame: frame, children: [] };
        this.nodes.push(node);
        at.children.push(node.id);
        at = node;
      }
    }
    return at.id;
  }
  /** profile samples each stack for the given µs, in order. */
  profile(samples: ReadonlyArray<{ stack: readonly string[]; us: number }>): CpuProfile {
    const ids = samples.map((s) => this.add(s.stack));
    // sample i lasts timeDeltas[i + 1]; the last until endTime
    const timeDeltas = [7, ...samples.slice(0, -1).map((s) => s.us)];
    const startTime = 1_000;
    const lastAt = startTime + timeDeltas.reduce((a, b) => a + b, 0);
    return { nodes: this.nodes, samples: ids, timeDeltas, startTime, endTime: lastAt + (samples.at(-1)?.us ?? 0) };
  }
}

describe('frameStage', () => {
  const cases: Array<{ note: string; frame: string; want: ReturnType<typeof frameStage> }> = [
    { note: 'the frame reader', frame: 'next@proxy/wire/frame-reader.ts', want: 'frame handling' },
    { note: "the socket channel's read side", frame: 'onData@proxy/net/channel.ts', want: 'frame handling' },
    { note: 'pg-protocol', frame: 'parse@node_modules/pg-protocol/dist/parser.js', want: 'frame handling' },
    { note: "a socket's data reaching JS", frame: 'onStreamRead@node:internal/stream_base_commons', want: 'frame handling' },
    { note: 'the write coalescer is the socket write path', frame: 'flush@proxy/net/write-coalescer.ts', want: 'relay' },
    { note: "net's Socket write path", frame: 'Socket._writeGeneric@node:net', want: 'relay' },
    {
      note: 'a Writable (file streams too) is not the socket path',
      frame: 'Writable.write@node:internal/streams/writable',
      want: undefined,
    },
    { note: 'the relay', frame: 'run@proxy/session/cycle/relay.ts', want: 'relay' },
    { note: 'masking', frame: 'rewriteDataRow@proxy/actions/mask-values.ts', want: 'relay' },
    { note: 'the SQL analyser', frame: 'analyze@proxy/sql/analyze.ts', want: 'analysis' },
    { note: 'name resolution', frame: 'resolveStatement@proxy/resolve/resolve.ts', want: 'analysis' },
    { note: "libpg-query's JS", frame: 'parseSync@node_modules/libpg-query/wasm/index.cjs', want: 'analysis' },
    { note: 'the policy input', frame: 'buildPolicyInput@proxy/decision/input.ts', want: 'input' },
    { note: "the policy input's JSON", frame: 'policyInputJson@proxy/decision/input-json.ts', want: 'input' },
    { note: 'the decider', frame: 'decide@proxy/decision/decider.ts', want: 'evaluation' },
    { note: 'the Wasm host', frame: 'evaluateRaw@engine/runtime/loader.ts', want: 'evaluation' },
    { note: 'the journal', frame: 'append@proxy/recording/journal.ts', want: 'recording' },
    { note: "the gate's records", frame: 'statementRecord@proxy/gate/records.ts', want: 'recording' },
    { note: 'the decision log', frame: 'log@proxy/decisionlog/logger.ts', want: 'recording' },
    { note: 'the rest of the gate', frame: 'enforce@proxy/gate/gate.ts', want: 'session/control' },
    { note: "the session's query cycle", frame: 'runSimpleQuery@proxy/session/cycle/simple.ts', want: 'session/control' },
    { note: 'the rest of proxy/ (upstream)', frame: 'connect@proxy/upstream/connect.ts', want: 'session/control' },
    { note: 'the collector', frame: '(garbage collector)', want: 'runtime' },
    { note: "V8's native work", frame: '(program)', want: 'runtime' },
    { note: 'the microtask loop', frame: 'runMicrotasks', want: 'runtime' },
    { note: 'the tick loop', frame: 'processTicksAndRejections@node:internal/process/task_queues', want: 'runtime' },
    { note: 'nextTick is its caller’s', frame: 'nextTick@node:internal/process/task_queues', want: undefined },
    { note: 'the bench itself', frame: 'runPgbench@test/bench/pgbench-tool.ts', want: 'other' },
    { note: 'idle', frame: '(idle)', want: 'excluded' },
    { note: "the profiler's own calls", frame: 'post@node:inspector', want: 'excluded' },
    { note: 'any WebAssembly', frame: 'wasm-function[12]@wasm://wasm/00ab12', want: 'wasm' },
    { note: 'a native function alone', frame: 'writeBuffer', want: undefined },
    { note: "net's other Socket code", frame: 'Socket@node:net', want: undefined },
    { note: 'a same-named file outside the repository', frame: 'analyze@file:///elsewhere/proxy/sql/analyze.ts', want: undefined },
  ];
  it.each(cases)('$note: $frame', ({ frame, want }) => {
    expect(frameStage(f(frame), ROOT)).toBe(want);
  });
});

describe('attributeStages', () => {
  const SOCKET_WRITE = [
    'Socket._writeGeneric@node:net',
    'Writable.write@node:internal/streams/writable',
    'write@proxy/net/channel.ts',
    'flush@proxy/net/write-coalescer.ts',
    'processTicksAndRejections@node:internal/process/task_queues',
  ];
  const PARSE = ['parseSync@node_modules/libpg-query/wasm/index.cjs', 'analyze@proxy/sql/analyze.ts', 'enforce@proxy/gate/gate.ts'];
  const EVALUATE = ['opa_eval@wasm://wasm/00b1', 'evaluateRaw@engine/runtime/loader.ts', 'decide@proxy/decision/decider.ts'];
  const cases: Array<{ note: string; stack: string[]; want: Stage | 'excluded' }> = [
    { note: 'a socket write: the write path wins over the channel above it', stack: ['writeBuffer', ...SOCKET_WRITE], want: 'relay' },
    {
      note: 'a file stream written for the decision log is recording, not a socket write',
      stack: [
        'writeBuffer',
        'writeAll@node:internal/fs/streams',
        'Writable.write@node:internal/streams/writable',
        'write@proxy/decisionlog/file-sink.ts',
      ],
      want: 'recording',
    },
    {
      note: "the journal's file write is recording, not a socket write",
      stack: [
        'writeBuffer',
        'writeSync@node:fs',
        'flush@proxy/recording/journal.ts',
        'processTicksAndRejections@node:internal/process/task_queues',
      ],
      want: 'recording',
    },
    { note: "Wasm under libpg-query's JS is analysis", stack: ['wasm-function[311]@wasm://wasm/0046', ...PARSE], want: 'analysis' },
    {
      note: 'Wasm under JS glue under Wasm under libpg-query is analysis',
      stack: [
        'wasm-function[150]@wasm://wasm/0046',
        'invoke_iii@node_modules/libpg-query/wasm/libpg-query.js',
        'wasm-function[305]@wasm://wasm/0046',
        ...PARSE,
      ],
      want: 'analysis',
    },
    { note: "Wasm under the engine's host is evaluation", stack: ['wasm-function[58]@wasm://wasm/00b1', ...EVALUATE], want: 'evaluation' },
    {
      note: 'Wasm whose first stage frame is elsewhere (the gate) is the policy',
      stack: ['wasm-function[58]@wasm://wasm/00b1', 'enforce@proxy/gate/gate.ts'],
      want: 'evaluation',
    },
    { note: 'Wasm under nothing of ours is the policy', stack: ['wasm-function[58]@wasm://wasm/00b1'], want: 'evaluation' },
    {
      note: 'a native frame takes its nearest stage frame (hashing for the chain)',
      stack: ['oneShotDigest', 'hash@node:internal/crypto/hash', 'chain@proxy/recording/chain.ts', 'enforce@proxy/gate/gate.ts'],
      want: 'recording',
    },
    {
      note: "the innermost stage frame wins (the input's JSON written for a record)",
      stack: ['stringify', 'policyInputJson@proxy/decision/input-json.ts', 'statementRecord@proxy/gate/records.ts'],
      want: 'input',
    },
    {
      note: "nextTick's cost is its caller's",
      stack: ['nextTick@node:internal/process/task_queues', 'queue@proxy/net/write-coalescer.ts', ...EVALUATE],
      want: 'relay',
    },
    { note: 'the collector', stack: ['(garbage collector)'], want: 'runtime' },
    {
      note: 'unmatched frames in the tick loop',
      stack: ['(anonymous)', 'processTicksAndRejections@node:internal/process/task_queues'],
      want: 'runtime',
    },
    { note: 'nothing matched', stack: ['emit@node:events', 'onconnection@node:net'], want: 'other' },
    { note: 'idle is left out', stack: ['(idle)'], want: 'excluded' },
    {
      note: "the profiler's own calls are left out",
      stack: ['dispatch', 'post@node:inspector', 'stop@test/bench/pgbench-stages.ts'],
      want: 'excluded',
    },
  ];
  it.each(cases)('$note', ({ stack, want }) => {
    const times = attributeStages(new ProfileBuilder().profile([{ stack, us: 100 }]), ROOT);
    const expected: StageTimes =
      want === 'excluded'
        ? { busyUs: 0, excludedUs: 100, byStage: new Map() }
        : { busyUs: 100, excludedUs: 0, byStage: new Map([[want, 100]]) };
    expect(times).toEqual(expected);
  });

  it('gives each sample the time until the next one and the last until the end; idle is not busy', () => {
    const profile = new ProfileBuilder().profile([
      { stack: ['(garbage collector)'], us: 40 },
      { stack: ['(idle)'], us: 500 },
      { stack: ['writeBuffer', ...SOCKET_WRITE], us: 30 },
      { stack: ['(garbage collector)'], us: 20 },
      { stack: ['decide@proxy/decision/decider.ts'], us: 10 },
    ]);
    expect(attributeStages(profile, ROOT)).toEqual({
      busyUs: 100,
      excludedUs: 500,
      byStage: new Map<Stage, number>([
        ['runtime', 60],
        ['relay', 30],
        ['evaluation', 10],
      ]),
    });
  });

  it('clamps a negative time delta to zero and, without an end time, gives the last sample none', () => {
    const b = new ProfileBuilder();
    const [gc, relay] = [b.add(['(garbage collector)']), b.add(['flush@proxy/net/write-coalescer.ts'])];
    const profile: CpuProfile = { nodes: b.nodes, samples: [gc, relay, gc], timeDeltas: [0, -5, 25] };
    expect(attributeStages(profile, ROOT)).toEqual({
      busyUs: 25,
      excludedUs: 0,
      byStage: new Map([
        ['relay', 25],
        ['runtime', 0],
      ]),
    });
  });
});

describe('renderStages', () => {
  it('prints per mode the shares of the busy time and µs per transaction, largest first, and a failed mode', () => {
    const times: StageTimes = {
      busyUs: 2_000_000,
      excludedUs: 1_000_000,
      byStage: new Map<Stage, number>([
        ['runtime', 200_000],
        ['evaluation', 1_000_000],
        ['relay', 500_000],
        ['analysis', 300_000],
      ]),
    };
    const lines = renderStages(
      [
        { kind: 'profiled', mode: 'simple', tps: 2_500.4, cpuUsPerTx: 400, times },
        { kind: 'failed', mode: 'extended', reason: 'pgbench exited 1' },
      ],
      { seconds: 8, intervalUs: 100 },
    ).join('\n');
    expect(lines).toContain('separate 8 s run per mode with the V8 CPU profiler on (a sample every 100 µs)');
    expect(lines).toContain('simple: 2,500 TPS, 400 µs CPU per transaction, 2.00 s busy sampled');
    expect(lines).toContain(
      [
        '| stage | share of busy time | µs per transaction |',
        '| --- | ---: | ---: |',
        '| evaluation | 50.0% | 200.0 |',
        '| relay | 25.0% | 100.0 |',
        '| analysis | 15.0% | 60.0 |',
        '| runtime | 10.0% | 40.0 |',
      ].join('\n'),
    );
    expect(lines).toContain('extended: not profiled (pgbench exited 1)');
  });

  it('prints nothing when the profiled run was skipped', () => {
    expect(renderStages([], { seconds: 8, intervalUs: 100 })).toEqual([]);
  });
});
