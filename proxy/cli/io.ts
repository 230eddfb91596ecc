// What a CLI invocation runs against: CliIo (where it writes) and RunContext (the process state
// long-running commands need), bound to the real process by main.ts and to buffers by tests,
// plus the exit-code table every command returns from.

/** CliIo is where the CLI writes; main.ts binds it to the process streams, tests to buffers. */
export type CliIo = {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Print stacks of unexpected errors (PORTCULLIS_DEBUG). */
  readonly debug?: boolean;
};

/** RunContext is the process state long-running commands need (env, Ctrl-C); main.ts binds it. */
export type RunContext = {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** untilStopped resolves on SIGINT/SIGTERM. */
  readonly untilStopped: () => Promise<void>;
  /** onReload calls the handler on each SIGHUP (absent: no reload signal, as in tests); returns a function removing it. */
  readonly onReload?: (handler: () => void) => () => void;
};

/** NO_PROCESS is the context of in-process runs (tests): an empty env, and stop at once. */
export const NO_PROCESS: RunContext = { env: {}, untilStopped: () => Promise.resolve() };

/** EXIT is the CLI's exit-code table. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
