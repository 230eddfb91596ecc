// The data plane's recorder over a journal: a session's start and every statement are appended and
// synced before they may proceed (write-ahead; the journal's group commit shares one fsync among
// every session writing at that moment), except that a read-only query, and a session's start,
// may go once its record is written: with `syncReads` (recording.sync: all) a read-only query's
// answers wait for the sync (Recorder.statement's `durable`) and a session's start is synced
// first; without, their records are synced by the journal's next group commit, background or not.
// Outcomes and session ends are appended after the fact and synced with the next commit. When the journal cannot be
// written, `refuse` rejects (the session or statement is refused with
// ERR_PROXY_RECORDING_UNAVAILABLE: nothing unrecorded runs) and `continue` lets it run unrecorded;
// either way the cause goes to the operator's log.

import { messageOf } from '../errors.js';
import { RecordingUnavailableError } from './errors.js';
import type { Journal } from './journal.js';
import type { RecordBody, Recorder } from './types.js';

const SYNCED = { sync: true } as const;

/** JournalRecorderOptions configure createJournalRecorder. */
export type JournalRecorderOptions = {
  readonly journal: Journal;
  /** onFailure is `recording.on_failure`. */
  readonly onFailure: 'refuse' | 'continue';
  /** onProblem receives each failure's cause (paths and errno included: for the operator only). */
  readonly onProblem?: (message: string) => void;
  /** syncReads: a read-only query's answers wait for its record's sync (`recording.sync: all`); default false (`writes`). */
  readonly syncReads?: boolean;
};

/** createJournalRecorder returns the Recorder the gateway records through. */
export function createJournalRecorder(options: JournalRecorderOptions): Recorder {
  const { journal } = options;
  const report = options.onProblem ?? (() => {});
  const causeOf = (e: unknown): string => {
    const cause = e instanceof Error && e.cause !== undefined ? e.cause : e;
    return messageOf(cause);
  };
  const refused = (e: unknown): RecordingUnavailableError | undefined => {
    report(`the journal cannot be written: ${causeOf(e)}`);
    if (options.onFailure !== 'refuse') return undefined;
    return e instanceof RecordingUnavailableError ? e : new RecordingUnavailableError({ cause: e });
  };
  const ahead = async (body: RecordBody, json?: string): Promise<void> => {
    try {
      await journal.append(body, json === undefined ? SYNCED : { sync: true, json });
    } catch (e) {
      const err = refused(e);
      if (err !== undefined) throw err;
    }
  };
  const statement: Recorder['statement'] = (body, opts) => {
    if (opts?.readOnly !== true) return ahead(body, opts?.json).then(() => undefined);
    if (options.syncReads !== true) return onceWritten(body, opts.json);
    // promises only where the caller waits: one for the write, one for the sync (`durable`)
    return new Promise((resolve, reject) => {
      let written = false;
      let failed = false;
      let settleDurable: { resolve: () => void; reject: (e: unknown) => void } | undefined;
      const durable = new Promise<void>((res, rej) => {
        settleDurable = { resolve: res, reject: rej };
      });
      durable.catch(() => undefined); // a statement refused before its answers never waits for it
      const settle = settleDurable as { resolve: () => void; reject: (e: unknown) => void };
      journal.notify(body, opts.json, {
        written: () => {
          written = true;
          resolve({ durable });
        },
        synced: settle.resolve,
        failed: (e) => {
          if (failed) return; // a failed write fails its sync too: reported once
          failed = true;
          const err = refused(e);
          if (written) {
            if (err !== undefined) settle.reject(err);
            else settle.resolve();
          } else if (err !== undefined) reject(err);
          else resolve(undefined);
        },
      });
    });
  };
  /**
   * onceWritten resolves once a read-only query's record is written; nothing waits for its sync,
   * which comes with the journal's next group commit (a failed one is reported here).
   */
  const onceWritten = (body: RecordBody, json: string | undefined): Promise<undefined> =>
    new Promise((resolve, reject) => {
      let failed = false;
      journal.notify(body, json, {
        written: () => resolve(undefined),
        synced: () => {},
        lazy: true,
        failed: (e) => {
          if (failed) return; // a failed write fails its sync too: reported once
          failed = true;
          const err = refused(e);
          if (err !== undefined)
            reject(err); // after the write, only reported: the promise is settled
          else resolve(undefined);
        },
      });
    });
  // nothing waits on these: a failure is only reported
  const quiet = { written: () => {}, failed: refused };
  const after = (body: RecordBody): void => journal.notify(body, undefined, quiet);
  // a login changes nothing: with sync: writes its record need only be written before the
  // session's first statement (a statement that can change anything is synced before it runs, and
  // that sync covers the session's start too); with sync: all it is synced first, as every answer
  const sessionStart: Recorder['sessionStart'] = (body) => (options.syncReads === true ? ahead(body) : onceWritten(body, undefined));
  return { sessionStart, statement, approval: ahead, outcome: after, sessionEnd: after };
}
