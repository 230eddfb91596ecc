// Public surface of proxy/actions: carrying out a decision on result data (masking DataRow values
// and COPY TO STDOUT output, denying masked columns that cannot be rewritten) and the errors the
// query cycle reports. Re-exports only.

export { maskValue, maskBinaryValue, canMaskBinary, MASK_DEFAULTS, TEXT_LIKE_TYPE_OIDS } from './mask-values.js';
export type { MaskOptions, BinaryMaskResult } from './mask-values.js';
export {
  NO_MASKS,
  checkOutputMasks,
  columnLabel,
  findMask,
  maskDataRow,
  maskDataRowInPlace,
  maskOptionsOf,
  rewriteDataRow,
} from './result-masks.js';
export type { ColumnMask, MaskedRow, OutputLineage, ResultMaskPlan, RewriteResult } from './result-masks.js';
export {
  COPY_CSV_DEFAULTS,
  COPY_TEXT_DEFAULTS,
  CopyOutRewriter,
  decodeCopyText,
  decodeCsvField,
  encodeCopyText,
  encodeCsvField,
  rewriteCopyRow,
  splitCsvRow,
  splitTextRow,
} from './copy-rewriter.js';
export type { CopyChunk, CopyColumnMask, CopyCsvFormat, CopyFormat, CopyMaskPlan, CopyTextFormat } from './copy-rewriter.js';
export {
  ACTION_ERRORS,
  ACTION_ERROR_CODES,
  ActionError,
  FunctionCallRefusedError,
  MaskedBinaryError,
  MaskedExpressionError,
  MaskUnboundError,
  RULE_MASKING,
  UnknownPortalError,
  UnknownStatementError,
  TooManyPreparedError,
  MAX_PREPARED_STATEMENTS,
  UnsupportedRequestError,
  BatchTooLargeError,
  RowTooLargeError,
  UpstreamClosedError,
} from './errors.js';
export type { ActionErrorCode, AnyActionError } from './errors.js';
