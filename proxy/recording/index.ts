// Public surface of proxy/recording: what a gateway records about every session and statement,
// hash-chained per journal: the local journal (group commit), the shipper to the state store,
// the verifier and retention. Re-exports only.

export { canonicalJson, chain, contentHash, legacyRecordHash, parseRecordLine, recordLine } from './chain.js';
export type * from './types.js';
export { RECORDING_ERRORS, RECORDING_ERROR_CODES, RecordingError, RecordingUnavailableError, RecordingWithheldError } from './errors.js';
export type { RecordingErrorCode } from './errors.js';
export { SEGMENT_BYTES_DEFAULT, openJournal } from './journal.js';
export type { AppendOptions, Journal, JournalOptions, JournalStats } from './journal.js';
export {
  SEGMENT_PATTERN,
  ZERO_AHEAD,
  listSegments,
  parseSegment,
  readJournals,
  readSegment,
  readSegmentFrom,
  readShippableFrom,
  segmentName,
  shippableOf,
} from './segments.js';
export type { SegmentFile, ShippableRecord } from './segments.js';
export { startShipThread } from './ship-thread.js';
export type { ShipperLogin } from './ship-thread.js';
export { INSERT_RECORDS_SQL, SHIPPED_THROUGH_SQL, SHIP_BATCH_DEFAULT, createShipper, insertParams, shippedThrough } from './shipper.js';
export type { ShipResult, Shipper, ShipperEvent, ShipperOptions, ShipperStore } from './shipper.js';
export { ISO_AT, createVerifier, verifyChain, verifyDir, verifyStore } from './verify.js';
export type { ChainProblem, ChainProblemKind, ChainVerifier, StoreReader, VerifyReport } from './verify.js';
export { mergeTombstones, prune, retentionReason } from './retention.js';
export { createJournalRecorder } from './recorder.js';
export type { JournalRecorderOptions } from './recorder.js';
export type { PruneOptions, PruneReport, PruneStore } from './retention.js';
