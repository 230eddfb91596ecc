// Protocol constants: the untagged startup-phase request codes and the tag bytes of every
// message in both directions, annotated with their protocol letter (pg-protocol's code table).
// https://www.postgresql.org/docs/current/protocol-message-formats.html

/** SSL_REQUEST_CODE is SSLRequest's int32 code (1234 << 16 | 5679). */
export const SSL_REQUEST_CODE = 80877103;
/** GSSENC_REQUEST_CODE is GSSENCRequest's int32 code (1234 << 16 | 5680). */
export const GSSENC_REQUEST_CODE = 80877104;
/** CANCEL_REQUEST_CODE is CancelRequest's int32 code (1234 << 16 | 5678). */
export const CANCEL_REQUEST_CODE = 80877102;
/** PROTOCOL_3_0 is StartupMessage's protocol version word for 3.0 (3 << 16). */
export const PROTOCOL_3_0 = 196608;
/** MAX_STARTUP_PACKET_LENGTH is PostgreSQL's cap on untagged packets (src/include/libpq/pqcomm.h). */
export const MAX_STARTUP_PACKET_LENGTH = 10000;

/** FRONTEND_TAGS are the tag bytes of client → server messages. */
export const FRONTEND_TAGS = {
  bind: 0x42, // B
  close: 0x43, // C
  copyData: 0x64, // d
  copyDone: 0x63, // c
  copyFail: 0x66, // f
  describe: 0x44, // D
  execute: 0x45, // E
  flush: 0x48, // H
  functionCall: 0x46, // F
  parse: 0x50, // P
  password: 0x70, // p (also SASLInitialResponse, SASLResponse, GSSResponse)
  query: 0x51, // Q
  sync: 0x53, // S
  terminate: 0x58, // X
} as const;

/** BACKEND_TAGS are the tag bytes of server → client messages. */
export const BACKEND_TAGS = {
  authentication: 0x52, // R
  backendKeyData: 0x4b, // K
  bindComplete: 0x32, // 2
  closeComplete: 0x33, // 3
  commandComplete: 0x43, // C
  copyData: 0x64, // d
  copyDone: 0x63, // c
  copyInResponse: 0x47, // G
  copyOutResponse: 0x48, // H
  copyBothResponse: 0x57, // W
  dataRow: 0x44, // D
  emptyQueryResponse: 0x49, // I
  errorResponse: 0x45, // E
  negotiateProtocolVersion: 0x76, // v
  noData: 0x6e, // n
  noticeResponse: 0x4e, // N
  notification: 0x41, // A
  parameterDescription: 0x74, // t
  parameterStatus: 0x53, // S
  parseComplete: 0x31, // 1
  portalSuspended: 0x73, // s
  readyForQuery: 0x5a, // Z
  rowDescription: 0x54, // T
} as const;

/** AUTH_METHODS are the int32 codes of Authentication ('R') messages. */
export const AUTH_METHODS = {
  ok: 0,
  kerberosV5: 2,
  cleartextPassword: 3,
  md5Password: 5,
  gss: 7,
  gssContinue: 8,
  sspi: 9,
  sasl: 10,
  saslContinue: 11,
  saslFinal: 12,
} as const;
