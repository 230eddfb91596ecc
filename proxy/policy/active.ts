// The active policy: the one PolicyUnit deciding right now, and reloads that replace it. A reload
// loads and instantiates the new policy beside the active one (compiling Rego on a worker thread,
// the Wasm asynchronously), and only a unit that came up whole replaces it, in one assignment:
// decisions are synchronous, so each is made by one policy, old or new, never a mix. A reload
// that fails leaves the active policy deciding and says why. Reloads run one at a time; asks
// made while one runs are served by one more run after it (the source may have changed after it
// was read), however many they are.

import type { Bundle } from '../../bundles/index.js';
import { PolicyUnitError, contentDigest, makeUnit } from './unit.js';
import type { PolicyPrint } from './unit.js';
import type { LoadedBundle, PolicyEntrypoints, PolicyLoader, PolicyStatus, PolicyUnit, ReloadOutcome, ReloadTrigger } from './types.js';

/** ActivationEvent is what the active policy reports (the gateway publishes it on its event bus). */
export type ActivationEvent =
  | {
      readonly type: 'policy.activated';
      readonly revision: string;
      readonly previous: string;
      readonly origin: string;
      readonly trigger: ReloadTrigger;
      /** ms is how long loading and instantiating took (off the statement path). */
      readonly ms: number;
    }
  | {
      readonly type: 'policy.reload_failed';
      readonly trigger: ReloadTrigger;
      readonly revision: string;
      readonly reasons: readonly string[];
    };

/** ActivePolicyOptions configure createActivePolicy. */
export type ActivePolicyOptions = {
  /** initial is the unit that decides from the start. */
  readonly initial: PolicyUnit;
  /** initialBundle is the bundle it came from (to tell an unchanged reload from a new policy). */
  readonly initialBundle: Bundle;
  /** load reads the configured source again (reload without bytes). */
  readonly load: PolicyLoader;
  readonly entrypoints: PolicyEntrypoints;
  readonly onPrint: PolicyPrint;
  readonly publish: (event: ActivationEvent) => void;
  readonly now?: () => Date;
};

/** ActivePolicy is the policy deciding right now, and its reloads. */
export type ActivePolicy = {
  /** current is the unit deciding right now (read it at each decision, never keep it). */
  current(): PolicyUnit;
  /** reload loads the configured source again and activates it when it differs. */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome>;
  /** offer activates a bundle obtained elsewhere (a fetched one); undefined `loaded.ok === false` is a failed reload. */
  offer(loaded: LoadedBundle, trigger: ReloadTrigger): Promise<ReloadOutcome>;
  status(): PolicyStatus;
};

/** createActivePolicy starts with `initial` deciding. */
export function createActivePolicy(options: ActivePolicyOptions): ActivePolicy {
  const now = options.now ?? (() => new Date());
  let unit = options.initial;
  let digest = contentDigest(options.initialBundle);
  let activatedAt = now();
  let lastReloadAt: Date | undefined;
  let lastError: readonly string[] | undefined;
  let reloads = 0;
  let reloadFailures = 0;
  // one reload at a time: `running` is the one in progress, `queued` the one run after it for every ask made meanwhile (the latest job wins)
  let running: Promise<ReloadOutcome> | undefined;
  let queued: { job: () => Promise<ReloadOutcome>; readonly waiters: ((o: ReloadOutcome) => void)[] } | undefined;

  const failed = (trigger: ReloadTrigger, reasons: readonly string[]): ReloadOutcome => {
    reloadFailures++;
    lastError = reasons;
    options.publish({ type: 'policy.reload_failed', trigger, revision: unit.revision, reasons });
    return { kind: 'failed', revision: unit.revision, reasons };
  };

  /** activate brings a loaded bundle up beside the active unit and swaps it in when whole. */
  const activate = async (loaded: LoadedBundle, trigger: ReloadTrigger, t0: number): Promise<ReloadOutcome> => {
    reloads++;
    lastReloadAt = now();
    if (!loaded.ok) return failed(trigger, loaded.reasons);
    const nextDigest = contentDigest(loaded.bundle);
    if (nextDigest === digest) {
      lastError = undefined;
      return { kind: 'unchanged', revision: unit.revision };
    }
    let fresh: PolicyUnit;
    try {
      fresh = await makeUnit(loaded.bundle, loaded.origin, options.entrypoints, options.onPrint, loaded.signature);
    } catch (e) {
      if (e instanceof PolicyUnitError) return failed(trigger, [e.message]);
      return failed(trigger, [`policy: ${e instanceof Error ? e.message : String(e)}`]);
    }
    const previous = unit.revision;
    // the swap: every decision from here on is the new policy's
    unit = fresh;
    digest = nextDigest;
    activatedAt = now();
    lastError = undefined;
    const ms = Math.round(performance.now() - t0);
    options.publish({ type: 'policy.activated', revision: fresh.revision, previous, origin: fresh.origin, trigger, ms });
    return { kind: 'activated', revision: fresh.revision, previous, ms };
  };

  /** run runs one job; then the queued one, if any, for everyone who asked meanwhile. */
  const run = (job: () => Promise<ReloadOutcome>): Promise<ReloadOutcome> => {
    const p = job().catch((e: unknown) => failed('api', [`policy: ${e instanceof Error ? e.message : String(e)}`]));
    running = p.finally(() => {
      running = undefined;
      const after = queued;
      queued = undefined;
      if (after !== undefined) {
        void run(after.job).then((o) => {
          for (const w of after.waiters) w(o);
        });
      }
    });
    return p;
  };

  /** serial runs reload jobs one at a time; asks made while one runs share the single run after it. */
  const serial = (job: () => Promise<ReloadOutcome>): Promise<ReloadOutcome> => {
    if (running === undefined) return run(job);
    if (queued === undefined) queued = { job, waiters: [] };
    else queued.job = job;
    const waiting = queued;
    return new Promise<ReloadOutcome>((resolve) => waiting.waiters.push(resolve));
  };

  const loadAndActivate = (trigger: ReloadTrigger) => async (): Promise<ReloadOutcome> => {
    const t0 = performance.now();
    let loaded: LoadedBundle;
    try {
      loaded = await options.load();
    } catch (e) {
      loaded = { ok: false, reasons: [`policy: ${e instanceof Error ? e.message : String(e)}`] };
    }
    return activate(loaded, trigger, t0);
  };

  return {
    current: () => unit,
    reload: (trigger) => serial(loadAndActivate(trigger)),
    offer: (loaded, trigger) => serial(() => activate(loaded, trigger, performance.now())),
    status: () => ({
      revision: unit.revision,
      origin: unit.origin,
      activatedAt,
      lastReloadAt,
      lastError,
      reloads,
      reloadFailures,
      memo: memoStatus(unit.memo),
    }),
  };
}

/** memoStatus describes a unit's decision memo for status: the paths it keys on and its counts, or why it is off. */
function memoStatus(m: PolicyUnit['memo']): PolicyStatus['memo'] {
  if (m.kind === 'off') return { on: false, reason: m.reason, paths: [], hits: 0, misses: 0 };
  return { on: true, paths: m.paths.map((p) => p.join('.')), hits: m.memo.stats.hits, misses: m.memo.stats.misses };
}
