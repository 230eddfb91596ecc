// Analysis of large statements off the event loop. Parsing and walking are synchronous and grow
// with the text (a 1 MiB statement takes seconds and hundreds of MiB): run on the event loop they
// would stall every other session. AnalysisPool runs them on worker threads (offload-worker.ts),
// each with a time budget and a bounded heap; a worker that runs out of either is terminated (its
// memory, the parser's WebAssembly heap included, goes with it), the statement is refused with
// SqlTooComplexError, and the next statement gets a fresh worker. Idle workers exit, so the memory
// a burst of large statements took is given back.

import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../threads/index.js';
import { messageOf } from '../errors.js';
import {
  SqlAnalysisError,
  SqlNotInitializedError,
  SqlNulError,
  SqlSyntaxError,
  SqlTooComplexError,
  SqlTooLargeError,
  type AnalysisBudget,
  type SqlError,
} from './errors.js';
import type { AnalyzeOptions, AnalyzeResult, StatementFacts } from './types.js';

/** OffloadOptions tunes an AnalysisPool; every field has a default in OFFLOAD_DEFAULTS. */
export type OffloadOptions = {
  /** size is how many workers may run at once (default: one core less than the machine has, 1 to 4). */
  readonly size?: number;
  /** maxMs is the time budget of one analysis, from when its worker starts on it (default 10 s). */
  readonly maxMs?: number;
  /** maxHeapMiB bounds each worker's old-generation heap (V8 resourceLimits; default 512 MiB). */
  readonly maxHeapMiB?: number;
  /**
   * retireChars: a worker that analysed a string at least this long is replaced afterwards, as is
   * one whose analysis failed other than by a syntax error (default 256 Ki characters). The
   * parser's WebAssembly heap grows to fit the largest statement and never shrinks.
   */
  readonly retireChars?: number;
  /** idleMs: a worker with nothing to do for this long exits (default 30 s). */
  readonly idleMs?: number;
  /** startupMs bounds a worker's start-up (loading the parser) (default 30 s). */
  readonly startupMs?: number;
};

/** OFFLOAD_DEFAULTS are the values an AnalysisPool uses for absent OffloadOptions fields. */
export const OFFLOAD_DEFAULTS: Readonly<Required<OffloadOptions>> = Object.freeze({
  size: Math.max(1, Math.min(4, availableParallelism() - 1)),
  maxMs: 10_000,
  maxHeapMiB: 512,
  retireChars: 256 * 1024,
  idleMs: 30_000,
  startupMs: 30_000,
});

/** WorkerRequest is one analysis the pool posts to a worker. */
export type WorkerRequest = { readonly id: number; readonly sql: string; readonly opts: AnalyzeOptions };

/** WireError is an analysis error as it crosses the thread (offload-worker.ts builds it, reviveError reads it). */
export type WireError =
  | { readonly kind: 'syntax'; readonly message: string; readonly position: number }
  | { readonly kind: 'too_large'; readonly bytes: number; readonly limit: number }
  | { readonly kind: 'nul'; readonly offset: number }
  | { readonly kind: 'too_complex'; readonly budget: AnalysisBudget; readonly limit: number }
  | { readonly kind: 'analysis'; readonly message: string; readonly sqlstate: '54001' | 'XX000' }
  | { readonly kind: 'not_initialized' };

/** WorkerMessage is what a worker posts: `ready` (or `failed`) once, then one `result` per request. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | ({ readonly type: 'result'; readonly id: number } & (
      | { readonly ok: true; readonly statements: readonly StatementFacts[] }
      | { readonly ok: false; readonly error: WireError }
    ));

/** reviveError builds the error a worker reported, as analyze() on this thread would have returned it. */
function reviveError(e: WireError): SqlError {
  switch (e.kind) {
    case 'syntax': {
      // SqlSyntaxError appends the position to the parser's message; take it off to build it again
      const suffix = ` (at character ${e.position})`;
      const parser = e.position > 0 && e.message.endsWith(suffix) ? e.message.slice(0, -suffix.length) : e.message;
      return new SqlSyntaxError(parser, e.position);
    }
    case 'too_large':
      return new SqlTooLargeError(e.bytes, e.limit);
    case 'nul':
      return new SqlNulError(e.offset);
    case 'too_complex':
      return new SqlTooComplexError(e.budget, e.limit);
    case 'analysis':
      return new SqlAnalysisError(e.message, e.sqlstate);
    case 'not_initialized':
      return new SqlNotInitializedError();
  }
}

type Job = {
  readonly id: number;
  readonly sql: string;
  readonly opts: AnalyzeOptions;
  readonly resolve: (r: AnalyzeResult) => void;
};

type Slot = {
  readonly worker: Worker;
  ready: boolean;
  retired: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
};

/**
 * AnalysisPool analyses query strings on worker threads, at most `size` at once, first come first
 * served. run() never rejects: a budget run out, a worker that dies or cannot start are refusals.
 * Workers never keep the process alive (unref); close() terminates them.
 */
export class AnalysisPool {
  readonly options: Readonly<Required<OffloadOptions>>;
  readonly #queue: Job[] = [];
  readonly #slots = new Set<Slot>();
  #nextId = 0;
  #replaced = 0;

  constructor(options: OffloadOptions = {}) {
    this.options = Object.freeze({ ...OFFLOAD_DEFAULTS, ...definedOnly(options) });
  }

  /** workers is how many workers are running or starting. */
  get workers(): number {
    return this.#slots.size;
  }

  /** pending counts analyses queued or running. */
  get pending(): number {
    let running = 0;
    for (const s of this.#slots) if (s.job !== undefined) running++;
    return this.#queue.length + running;
  }

  /** replaced counts workers terminated for running out of a budget or dying. */
  get replaced(): number {
    return this.#replaced;
  }

  /** run analyses one query string on a worker; the result is analyze()'s for the same input. */
  run(sql: string, opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
    return new Promise<AnalyzeResult>((resolve) => {
      this.#queue.push({ id: this.#nextId++, sql, opts, resolve });
      this.#dispatch();
    });
  }

  /** close terminates every worker; analyses in flight or queued are refused. The pool starts workers again if used after. */
  async close(): Promise<void> {
    const queued = this.#queue.splice(0);
    for (const job of queued) job.resolve(fail(new SqlNotInitializedError()));
    await Promise.all([...this.#slots].map((s) => this.#retire(s, new SqlNotInitializedError())));
  }

  #dispatch(): void {
    for (const s of this.#slots) {
      if (this.#queue.length === 0) return;
      if (s.ready && !s.retired && s.job === undefined) this.#start(s, this.#queue.shift() as Job);
    }
    const starting = [...this.#slots].filter((s) => !s.ready).length;
    let wanted = Math.min(this.#queue.length - starting, this.options.size - this.#slots.size);
    for (; wanted > 0; wanted--) this.#spawn();
  }

  #start(s: Slot, job: Job): void {
    if (s.timer !== undefined) clearTimeout(s.timer); // the idle timer
    s.job = job;
    s.timer = setTimeout(() => {
      this.#replaced++;
      void this.#retire(s, new SqlTooComplexError('time', this.options.maxMs));
      this.#dispatch();
    }, this.options.maxMs).unref();
    s.worker.postMessage({ id: job.id, sql: job.sql, opts: job.opts } satisfies WorkerRequest);
  }

  #spawn(): void {
    const worker = startWorker({
      maxOldGenerationSizeMb: this.options.maxHeapMiB,
      maxYoungGenerationSizeMb: Math.max(1, Math.min(64, Math.floor(this.options.maxHeapMiB / 8))),
      // about the main thread's stack (V8's default, ~1 MiB), so nesting too deep to walk there is too deep here
      stackSizeMb: 1,
    });
    worker.unref();
    const s: Slot = { worker, ready: false, retired: false };
    this.#slots.add(s);
    s.timer = setTimeout(() => this.#startFailed(s, 'analysis worker start-up timed out'), this.options.startupMs).unref();
    worker.on('message', (m: WorkerMessage) => {
      if (s.retired) return;
      if (m.type === 'ready') {
        s.ready = true;
        clearTimeout(s.timer);
        this.#idle(s);
        this.#dispatch();
      } else if (m.type === 'failed') {
        this.#startFailed(s, m.message);
      } else if (s.job?.id === m.id) {
        const job = s.job;
        clearTimeout(s.timer);
        s.job = undefined;
        job.resolve(m.ok ? { ok: true, statements: m.statements } : fail(reviveError(m.error)));
        // the parser's heap only grows: a worker a large statement left big is replaced, and so
        // is one whose parser may have failed midway
        if (job.sql.length >= this.options.retireChars || !(m.ok || m.error.kind === 'syntax')) void this.#retire(s);
        else this.#idle(s);
        this.#dispatch();
      }
    });
    worker.on('error', (err: unknown) => this.#died(s, err));
    worker.on('exit', (code) => this.#died(s, new Error(`analysis worker exited with code ${code}`)));
  }

  /** #idle arms the timer that lets an idle worker go. */
  #idle(s: Slot): void {
    s.timer = setTimeout(() => {
      if (s.job === undefined) void this.#retire(s);
    }, this.options.idleMs).unref();
  }

  #startFailed(s: Slot, message: string): void {
    if (s.retired) return;
    void this.#retire(s);
    // without a worker nothing large can be analysed: refuse what waits (fail closed) rather than retry forever
    if ([...this.#slots].some((x) => x.ready)) return this.#dispatch();
    for (const job of this.#queue.splice(0)) {
      job.resolve(fail(new SqlAnalysisError(`portcullis: SQL analysis worker could not start (${message}); statement refused`, 'XX000')));
    }
  }

  #died(s: Slot, err: unknown): void {
    if (s.retired) return;
    if (!s.ready) return this.#startFailed(s, messageOf(err));
    this.#replaced++;
    const outOfMemory = (err as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    void this.#retire(
      s,
      outOfMemory
        ? new SqlTooComplexError('memory', this.options.maxHeapMiB)
        : new SqlAnalysisError(`portcullis: SQL analysis worker failed (${messageOf(err)}); statement refused`, 'XX000'),
    );
    this.#dispatch();
  }

  /** #retire terminates a worker; its analysis in flight, if any, is refused with `error`. */
  #retire(s: Slot, error: SqlError = new SqlNotInitializedError()): Promise<unknown> {
    if (s.retired) return Promise.resolve();
    s.retired = true;
    this.#slots.delete(s);
    clearTimeout(s.timer);
    const job = s.job;
    s.job = undefined;
    job?.resolve(fail(error));
    return s.worker.terminate();
  }
}

function fail(error: SqlError): AnalyzeResult {
  return { ok: false, error };
}

function definedOnly(o: OffloadOptions): OffloadOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** startWorker starts offload-worker (the .ts file under tsx, the .js file once compiled). */
function startWorker(resourceLimits: NonNullable<ConstructorParameters<typeof Worker>[1]>['resourceLimits']): Worker {
  return startModuleWorker(import.meta.url, './offload-worker', { resourceLimits });
}
