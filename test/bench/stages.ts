// Where the gateway's time goes, from a V8 CPU profile (`.cpuprofile`, as `Profiler.stop` returns
// it): each sample's time goes to the stage of the innermost frame on its stack that belongs to
// one (walking from the sampled node up its parents; unmatched frames are skipped; a stack with
// no stage frame is "other"); idle samples and the profiler's own calls are left out. Stages are told by source file (paths
// relative to the repository) and, for Node's own and native frames, by function name. A
// WebAssembly frame has no file of ours: it is the SQL parser's when the first stage frame above
// it is analysis (libpg-query's JS), else the policy's (evaluation). Unit-tested in
// test/bench/stages.test.ts; used by the gateway section's profiled run (pgbench-stages.ts).

import type { ProtocolMode } from './pgbench-tool.js';

/** Stage is what part of a statement's trip through the gateway a sample is spent in. */
export type Stage =
  | 'frame handling'
  | 'analysis'
  | 'input'
  | 'evaluation'
  | 'recording'
  | 'relay'
  | 'session/control'
  | 'runtime'
  | 'other';

/** ProfileNode is one node of a V8 CPU profile's call tree. */
export type ProfileNode = {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
};

/** CpuProfile is the part of a V8 CPU profile the attribution reads. */
export type CpuProfile = {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  /** timeDeltas[i] is the µs between sample i-1 (or the start) and sample i. */
  readonly timeDeltas: readonly number[];
  readonly startTime?: number;
  readonly endTime?: number;
};

/**
 * FrameRule gives a stage to the frames whose path (relative to the repository; Node's own files
 * as `node:…`, native functions as '') matches `path` and whose function name matches `fn`.
 */
type FrameRule = { readonly stage: Stage | 'excluded'; readonly path?: RegExp; readonly fn?: RegExp };

/**
 * FRAME_RULES are tried in order for each frame; the first that matches gives its stage. More
 * specific files come before their folder (relay.ts before proxy/session/, input*.ts before
 * proxy/decision/), and the socket write path before proxy/net/ (channel.ts calls into it).
 */
const FRAME_RULES: readonly FrameRule[] = [
  // not the gateway's time: the event loop waiting, the profiler's own calls
  { stage: 'excluded', path: /^$/, fn: /^\(idle\)$/ },
  { stage: 'excluded', path: /^node:inspector$/ },
  // socket writes: net's Socket write path and the stream handle calls under it (not the generic
  // Writable above it, which file streams share; nor the journal's writeSync: that is recording)
  { stage: 'relay', path: /^node:net$/, fn: /^Socket\._(write|writev|writeGeneric|final)$/ },
  {
    stage: 'relay',
    path: /^node:internal\/stream_base_commons$/,
    fn: /^(writeGeneric|writevGeneric|handleWriteReq|afterWriteDispatched)$/,
  },
  { stage: 'relay', path: /^proxy\/net\/write-coalescer\.ts$/ },
  { stage: 'relay', path: /^proxy\/session\/cycle\/relay\.ts$/ },
  { stage: 'relay', path: /^proxy\/actions\// },
  // socket reads up to the frame reader
  { stage: 'frame handling', path: /^node:internal\/stream_base_commons$/, fn: /^onStreamRead$/ },
  { stage: 'frame handling', path: /^node:internal\/streams\/readable$/ },
  { stage: 'frame handling', path: /^proxy\/(wire|net)\// },
  { stage: 'frame handling', path: /(^|\/)node_modules\/pg-protocol\// },
  { stage: 'analysis', path: /^proxy\/(sql|resolve)\// },
  { stage: 'analysis', path: /(^|\/)node_modules\/libpg-query\// },
  { stage: 'input', path: /^proxy\/decision\/input[^/]*\.ts$/ },
  { stage: 'evaluation', path: /^proxy\/(decision|policy)\// },
  { stage: 'evaluation', path: /^engine\/runtime\// },
  { stage: 'recording', path: /^proxy\/gate\/records\.ts$/ },
  { stage: 'recording', path: /^proxy\/(recording|decisionlog)\// },
  // the rest of the gateway: the session's state machine, the gate, upstream, server, events, log
  { stage: 'session/control', path: /^proxy\// },
  // the bench's own code (the pgbench runner, the decide wrapper): neither gateway stage nor runtime
  { stage: 'other', path: /^test\// },
  // the engine room: the loops that run ticks, microtasks and timers (not nextTick and friends,
  // whose cost is their caller's), the collector, V8's and Node's native work outside any JS
  { stage: 'runtime', path: /^$/, fn: /^(\(garbage collector\)|\(program\)|runMicrotasks)$/ },
  { stage: 'runtime', path: /^node:internal\/process\/task_queues$/, fn: /^(processTicksAndRejections|runNextTicks)$/ },
  { stage: 'runtime', path: /^node:internal\/timers$/, fn: /^(processTimers|listOnTimeout|processImmediate)$/ },
];

/** relativePath turns a frame's url into a path relative to the repository at `root` (a file path); others are kept as they are. */
function relativePath(url: string, root: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** frameStage is the stage of one frame on its own: a Stage, 'wasm' for a WebAssembly frame, or undefined when no rule matches. */
export function frameStage(
  frame: { readonly functionName: string; readonly url: string },
  root: string,
): Stage | 'excluded' | 'wasm' | undefined {
  if (frame.url.startsWith('wasm://')) return 'wasm';
  const path = relativePath(frame.url, root);
  for (const rule of FRAME_RULES) {
    if (rule.path !== undefined && !rule.path.test(path)) continue;
    if (rule.fn !== undefined && !rule.fn.test(frame.functionName)) continue;
    return rule.stage;
  }
  return undefined;
}

/** StageTimes is a profile's sampled time: busy µs per stage, and the µs left out (idle, the profiler's own calls). */
export type StageTimes = {
  readonly busyUs: number;
  readonly excludedUs: number;
  readonly byStage: ReadonlyMap<Stage, number>;
};

/**
 * attributeStages adds each sample's time to its stage. A sample lasts until the next one (the
 * last until the profile's end, when known), which is how DevTools reads timeDeltas.
 */
export function attributeStages(profile: CpuProfile, root: string): StageTimes {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const memo = new Map<number, Stage | 'excluded'>();
  const stageOf = (id: number): Stage | 'excluded' => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    let stage: Stage | 'excluded' | undefined;
    let underWasm = false;
    for (let at: number | undefined = id; stage === undefined && at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node === undefined) break;
      const s = frameStage(node.callFrame, root);
      if (s === 'wasm') underWasm = true;
      else if (s !== undefined) stage = underWasm && s !== 'analysis' && s !== 'excluded' ? 'evaluation' : s;
    }
    const result = stage ?? (underWasm ? 'evaluation' : 'other');
    memo.set(id, result);
    return result;
  };

  // sample i lasts timeDeltas[i + 1]; the last one until endTime (when the profile has it)
  const durations = profile.samples.map((_, i) => Math.max(0, profile.timeDeltas[i + 1] ?? 0));
  if (profile.samples.length > 0 && profile.startTime !== undefined && profile.endTime !== undefined) {
    const lastAt = profile.startTime + profile.timeDeltas.reduce((a, b) => a + b, 0);
    durations[durations.length - 1] = Math.max(0, profile.endTime - lastAt);
  }
  const byStage = new Map<Stage, number>();
  let busyUs = 0;
  let excludedUs = 0;
  for (const [i, id] of profile.samples.entries()) {
    const us = durations[i] ?? 0;
    const stage = stageOf(id);
    if (stage === 'excluded') {
      excludedUs += us;
      continue;
    }
    busyUs += us;
    byStage.set(stage, (byStage.get(stage) ?? 0) + us);
  }
  return { busyUs, excludedUs, byStage };
}

/** StageCosts are one protocol mode's profiled run: its TPS, the gateway's CPU per transaction, and the sampled stage times. */
export type StageCosts =
  | {
      readonly kind: 'profiled';
      readonly mode: ProtocolMode;
      readonly tps: number;
      /** cpuUsPerTx is this process's user+system CPU (process.cpuUsage) over the run, per transaction. */
      readonly cpuUsPerTx: number;
      readonly times: StageTimes;
    }
  | { readonly kind: 'failed'; readonly mode: ProtocolMode; readonly reason: string };

/** renderStages prints, per mode, each stage's share of the busy time and its µs per transaction (share × CPU per transaction), largest first. */
export function renderStages(costs: readonly StageCosts[], settings: { readonly seconds: number; readonly intervalUs: number }): string[] {
  if (costs.length === 0) return [];
  const out: string[] = [];
  out.push(
    `\nPer-stage cost through Portcullis: from a separate ${settings.seconds} s run per mode with the V8 CPU profiler on (a sample every ${settings.intervalUs} µs), after the measured rounds; the profiler slows the gateway, so its TPS is not the table's and the shares say more than the µs`,
  );
  for (const c of costs) {
    if (c.kind === 'failed') {
      out.push(`\n${c.mode}: not profiled (${c.reason})`);
      continue;
    }
    const { busyUs, byStage } = c.times;
    out.push(
      `\n${c.mode}: ${Math.round(c.tps).toLocaleString('en-US')} TPS, ${c.cpuUsPerTx.toFixed(0)} µs CPU per transaction, ${(busyUs / 1e6).toFixed(2)} s busy sampled (idle left out)`,
    );
    out.push('| stage | share of busy time | µs per transaction |');
    out.push('| --- | ---: | ---: |');
    const rows = [...byStage].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    for (const [stage, us] of rows) {
      const share = busyUs > 0 ? us / busyUs : Number.NaN;
      const perTx = share * c.cpuUsPerTx;
      out.push(
        `| ${stage} | ${Number.isFinite(share) ? `${(100 * share).toFixed(1)}%` : 'n/a'} | ${Number.isFinite(perTx) ? perTx.toFixed(1) : 'n/a'} |`,
      );
    }
  }
  return out;
}
