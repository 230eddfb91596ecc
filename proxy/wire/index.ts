// Public surface of proxy/wire: framing (FrameReader), client-message decoding and server-message
// encoding (ours, in pg-protocol's style), server-message decoding (pg-protocol's parser, typed
// into our union) and upstream encoding (pg-protocol's serialize plus a small writer).

export { FrameReader } from './frame-reader.js';
export type { FrameReaderMode } from './frame-reader.js';
export { decodeFrontend, readCleartextPassword, decodeSaslInitial, decodeSaslResponse } from './frontend-decoder.js';
export { encodeFrontend } from './frontend-encoder.js';
export { checkDataRow, decodeBackend } from './backend-decoder.js';
export { encodeBackend } from './backend-encoder.js';
export {
  SSL_REQUEST_CODE,
  GSSENC_REQUEST_CODE,
  CANCEL_REQUEST_CODE,
  PROTOCOL_3_0,
  MAX_STARTUP_PACKET_LENGTH,
  FRONTEND_TAGS,
  BACKEND_TAGS,
  AUTH_METHODS,
} from './codes.js';
export {
  WIRE_ERRORS,
  WIRE_ERROR_CODES,
  WireError,
  ProtocolViolationError,
  FrameTooLargeError,
  InvalidEncodingError,
} from './errors.js';
export type { WireErrorCode, AnyWireError } from './errors.js';
export type * from './messages.js';
