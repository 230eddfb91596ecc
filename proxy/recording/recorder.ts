// The data plane's recorder over a journal: a session's start and every statement are appended and
// synced before they may proceed (write-ahead; the journal's group commit shares one fsync among
// every session writing at that moment); outcomes and session ends are appended after the fact and
// synced with the next commit. When the journal cannot be written, `refuse` rejects (the session or
// statement is refused with ERR_PROXY_RECORDING_UNAVAILABLE: nothing unrecorded runs) and
// `continue` lets it run unrecorded; either way the cause goes to the operator's log.

import { messageOf } from '../errors.js';
import { RecordingUnavailableError } from './errors.js';
import type { Journal } from './journal.js';
import type { RecordBody, Recorder } from './types.js';

/** JournalRecorderOptions configure createJournalRecorder. */
export type JournalRecorderOptions = {
  readonly journal: Journal;
  /** onFailure is `recording.on_failure`. */
  readonly onFailure: 'refuse' | 'continue';
  /** onProblem receives each failure's cause (paths and errno included: for the operator only). */
  readonly onProblem?: (message: string) => void;
};

/** createJournalRecorder returns the Recorder the gateway records through. */
export function createJournalRecorder(options: JournalRecorderOptions): Recorder {
  const { journal } = options;
  const report = options.onProblem ?? (() => {});
  const causeOf = (e: unknown): string => {
    const cause = e instanceof Error && e.cause !== undefined ? e.cause : e;
    return messageOf(cause);
  };
  const ahead = async (body: RecordBody): Promise<void> => {
    try {
      await journal.append(body, { sync: true });
    } catch (e) {
      report(`the journal cannot be written: ${causeOf(e)}`);
      if (options.onFailure === 'refuse') throw e instanceof RecordingUnavailableError ? e : new RecordingUnavailableError({ cause: e });
    }
  };
  const after = (body: RecordBody): void => {
    journal.append(body, { sync: false }).catch((e: unknown) => report(`the journal cannot be written: ${causeOf(e)}`));
  };
  return { sessionStart: ahead, statement: ahead, outcome: after, sessionEnd: after };
}
