// The typed shapes of the PostgreSQL protocol 3.0 as Portcullis sees it: frames cut by
// FrameReader, client messages out of decodeFrontend, server messages out of decodeBackend,
// and what the proxy writes itself (encodeBackend to clients, encodeFrontend to the upstream).
// Plain readonly data with `kind` discriminants; Buffers are zero-copy views of the frame.

/** TaggedFrame is one `code:1 byte + length:int32 + payload` message; `raw` is every byte of it, forwardable unchanged. */
export type TaggedFrame = {
  readonly kind: 'tagged';
  /** code is the tag byte (e.g. 0x51 for 'Q'). */
  readonly code: number;
  /** tag is the tag byte as a one-character string (e.g. 'Q'). */
  readonly tag: string;
  /** payload is the bytes after the length word (raw.subarray(5)). */
  readonly payload: Buffer;
  /** raw is the whole frame, tag and length included. */
  readonly raw: Buffer;
};

/** UntaggedFrame is one startup-phase `length:int32 + payload` packet (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest). */
export type UntaggedFrame = {
  readonly kind: 'untagged';
  /** payload is the bytes after the length word; its first int32 is the protocol version or request code. */
  readonly payload: Buffer;
  /** raw is the whole packet, length included. */
  readonly raw: Buffer;
};

/**
 * SkippedFrame stands for a tagged message over the size cap whose type the reader was told to
 * skip (FrameReaderOptions.skipOversize): its bytes were discarded as they arrived, never held.
 */
export type SkippedFrame = {
  readonly kind: 'skipped';
  /** code is the tag byte; tag the same as a one-character string. */
  readonly code: number;
  readonly tag: string;
  /** declared is the message's declared length (which counts the length word, not the tag). */
  readonly declared: number;
  /** limit is the cap it exceeded. */
  readonly limit: number;
};

/** Frame is one complete protocol message in either direction, or one skipped for its size. */
/**
 * PartFrame is a piece of a tagged message the reader streams rather than holds whole (types in
 * FrameReaderOptions.streamAbove's list, declared larger than its size): `bytes` are the next raw
 * bytes of the message, the first part starting with its tag and length; concatenated, the parts
 * are exactly the message. `last` marks the part that completes it.
 */
export type PartFrame = {
  readonly kind: 'part';
  readonly code: number;
  readonly tag: string;
  /** declared is the message's declared length (which counts the length word, not the tag). */
  readonly declared: number;
  readonly first: boolean;
  readonly last: boolean;
  readonly bytes: Buffer;
};

export type Frame = TaggedFrame | UntaggedFrame | SkippedFrame | PartFrame;

/** FrameReaderOptions configures a FrameReader. */
export type FrameReaderOptions = {
  /** maxFrameBytes caps the declared length (which counts the length word, not the tag); larger frames raise FrameTooLargeError. */
  readonly maxFrameBytes: number;
  /** startup: true for the client → proxy direction, which begins with untagged packets. */
  readonly startup: boolean;
  /**
   * skipOversize lists tag bytes whose messages over maxFrameBytes are skipped (reported as a
   * SkippedFrame, their bytes discarded unread) instead of failing the reader: the upstream's
   * DataRow and CopyData, so one oversize row fails its statement, not the session.
   */
  readonly skipOversize?: readonly number[];
  /**
   * streamAbove streams messages of these types (tag bytes) that are larger than `bytes` (and
   * within maxFrameBytes) as PartFrames as their bytes arrive, instead of holding them whole: the
   * upstream's DataRow, so a large row the client may see as it is costs the gateway no more than a
   * socket read.
   */
  readonly streamAbove?: { readonly codes: readonly number[]; readonly bytes: number };
  /** maxStartupBytes caps untagged packets (PostgreSQL's MAX_STARTUP_PACKET_LENGTH is 10000); defaults to 10000. */
  readonly maxStartupBytes?: number;
};

// ---------------------------------------------------------------------------------------------
// client → proxy

/** StartupMessage is the untagged first packet: protocol version and the connection parameters (user, database, …). */
export type StartupMessage = {
  readonly kind: 'startup';
  readonly majorVersion: number;
  readonly minorVersion: number;
  /** parameters in the order sent; a repeated name keeps the last value, as PostgreSQL does. */
  readonly parameters: ReadonlyMap<string, string>;
};

/** SslRequest asks to switch to TLS (code 80877103); the answer is a single byte, not a frame. */
export type SslRequest = { readonly kind: 'sslRequest' };

/** GssEncRequest asks for GSSAPI encryption (code 80877104); the proxy refuses it with 'N'. */
export type GssEncRequest = { readonly kind: 'gssEncRequest' };

/** CancelRequest asks to cancel the query running on the backend with this key (code 80877102). */
export type CancelRequest = {
  readonly kind: 'cancelRequest';
  readonly processId: number;
  /** secretKey is the int32 key of protocol 3.0 (signed, as BackendKeyData carries it). */
  readonly secretKey: number;
};

/**
 * PasswordMessage is tag 'p': PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse
 * share it, so the payload stays raw; read it with readCleartextPassword, decodeSaslInitial or
 * decodeSaslResponse according to the authentication step the session is in.
 */
export type PasswordMessage = { readonly kind: 'password'; readonly data: Buffer };

/** SaslInitialResponse is a 'p' payload read as SASLInitialResponse; data is null when the client sent length -1. */
export type SaslInitialResponse = {
  readonly kind: 'saslInitialResponse';
  readonly mechanism: string;
  readonly data: Buffer | null;
};

/** SaslResponse is a 'p' payload read as SASLResponse: the whole payload is mechanism data. */
export type SaslResponse = { readonly kind: 'saslResponse'; readonly data: Buffer };

/**
 * QueryMessage is tag 'Q'. `sql` is the whole string before the terminating NUL, decoded as UTF-8
 * and NOT cut at an inner NUL; `sqlBytes` is the same range of raw bytes, so the SQL layer can
 * find and refuse an embedded NUL itself.
 */
export type QueryMessage = { readonly kind: 'query'; readonly sql: string; readonly sqlBytes: Buffer };

/** ParseMessage is tag 'P': a prepared statement (name '' is the unnamed one), its text and parameter type OIDs (0 = unspecified). */
export type ParseMessage = {
  readonly kind: 'parse';
  readonly name: string;
  /** query is the statement text decoded as UTF-8. */
  readonly query: string;
  /** queryBytes are the raw bytes of the text (without its NUL). */
  readonly queryBytes: Buffer;
  readonly paramTypes: readonly number[];
};

/** FormatCode is 0 (text) or 1 (binary). */
export type FormatCode = 0 | 1;

/** BindMessage is tag 'B': binds parameter values (raw, byte-exact) to a statement, creating a portal. */
export type BindMessage = {
  readonly kind: 'bind';
  readonly portal: string;
  readonly statement: string;
  /** paramFormats: empty (all text), one (applies to all) or one per value. */
  readonly paramFormats: readonly FormatCode[];
  /** values: raw parameter bytes (zero-copy), null for SQL NULL. */
  readonly values: readonly (Buffer | null)[];
  /** resultFormats: empty (all text), one (applies to all) or one per result column. */
  readonly resultFormats: readonly FormatCode[];
};

/** DescribeMessage is tag 'D': describe a statement ('S') or a portal ('P'). */
export type DescribeMessage = { readonly kind: 'describe'; readonly target: 'S' | 'P'; readonly name: string };

/** ExecuteMessage is tag 'E': run a portal, returning at most maxRows rows (0 = no limit). */
export type ExecuteMessage = { readonly kind: 'execute'; readonly portal: string; readonly maxRows: number };

/** CloseMessage is tag 'C': close a statement ('S') or a portal ('P'). */
export type CloseMessage = { readonly kind: 'close'; readonly target: 'S' | 'P'; readonly name: string };

/** SyncMessage is tag 'S': end of an extended-protocol batch. */
export type SyncMessage = { readonly kind: 'sync' };

/** FlushMessage is tag 'H': ask the server to send what it has. */
export type FlushMessage = { readonly kind: 'flush' };

/** CopyDataMessage is tag 'd' (either direction): a chunk of COPY data. */
export type CopyDataMessage = { readonly kind: 'copyData'; readonly data: Buffer };

/** CopyDoneMessage is tag 'c' (either direction): the end of COPY data. */
export type CopyDoneMessage = { readonly kind: 'copyDone' };

/** CopyFailMessage is tag 'f': the client aborts COPY FROM STDIN with a message. */
export type CopyFailMessage = { readonly kind: 'copyFail'; readonly message: string };

/** TerminateMessage is tag 'X': the client is leaving. */
export type TerminateMessage = { readonly kind: 'terminate' };

/** FunctionCallMessage is tag 'F' (the legacy fast-path interface); only the function OID is decoded, since the session refuses it. */
export type FunctionCallMessage = { readonly kind: 'functionCall'; readonly functionOid: number };

/** FrontendMessage is every message a client can send, as decodeFrontend returns it. */
export type FrontendMessage =
  | StartupMessage
  | SslRequest
  | GssEncRequest
  | CancelRequest
  | PasswordMessage
  | QueryMessage
  | ParseMessage
  | BindMessage
  | DescribeMessage
  | ExecuteMessage
  | CloseMessage
  | SyncMessage
  | FlushMessage
  | CopyDataMessage
  | CopyDoneMessage
  | CopyFailMessage
  | TerminateMessage
  | FunctionCallMessage;

// ---------------------------------------------------------------------------------------------
// server → proxy (decodeBackend) and proxy → client (encodeBackend)

/** FieldDescription is one RowDescription column. */
export type FieldDescription = {
  readonly name: string;
  /** tableOID is the source table's OID, 0 when the column is not a plain table column. */
  readonly tableOID: number;
  /** columnAttr is the source column's attribute number, 0 when not a plain table column. */
  readonly columnAttr: number;
  readonly dataTypeOID: number;
  readonly dataTypeSize: number;
  readonly typeModifier: number;
  readonly format: FormatCode;
};

/** NoticeFields are ErrorResponse / NoticeResponse fields keyed by their one-letter code (S, V, C, M, D, H, P, …). */
export type NoticeFields = Readonly<Record<string, string>>;

/** TransactionStatus is ReadyForQuery's byte: idle, in a transaction block, or in a failed one. */
export type TransactionStatus = 'I' | 'T' | 'E';

/** RowDescriptionMessage is tag 'T'. */
export type RowDescriptionMessage = { readonly kind: 'rowDescription'; readonly fields: readonly FieldDescription[] };

/** DataRowMessage is tag 'D' from the server: one row's values as raw bytes (null for SQL NULL), zero-copy. */
export type DataRowMessage = { readonly kind: 'dataRow'; readonly values: readonly (Buffer | null)[] };

/** ErrorResponseMessage is tag 'E' from the server. */
export type ErrorResponseMessage = { readonly kind: 'errorResponse'; readonly fields: NoticeFields };

/** NoticeResponseMessage is tag 'N'. */
export type NoticeResponseMessage = { readonly kind: 'noticeResponse'; readonly fields: NoticeFields };

/** ParameterStatusMessage is tag 'S' from the server: a run-time parameter's current value. */
export type ParameterStatusMessage = { readonly kind: 'parameterStatus'; readonly name: string; readonly value: string };

/** BackendKeyDataMessage is tag 'K': the key a CancelRequest must present. */
export type BackendKeyDataMessage = { readonly kind: 'backendKeyData'; readonly processId: number; readonly secretKey: number };

/** ReadyForQueryMessage is tag 'Z'. */
export type ReadyForQueryMessage = { readonly kind: 'readyForQuery'; readonly status: TransactionStatus };

/** AuthenticationOk is 'R' code 0. */
export type AuthenticationOk = { readonly kind: 'authenticationOk' };
/** AuthenticationCleartextPassword is 'R' code 3. */
export type AuthenticationCleartextPassword = { readonly kind: 'authenticationCleartextPassword' };
/** AuthenticationMD5Password is 'R' code 5 with a 4-byte salt. */
export type AuthenticationMD5Password = { readonly kind: 'authenticationMD5Password'; readonly salt: Buffer };
/** AuthenticationSASL is 'R' code 10 with the server's mechanisms (e.g. SCRAM-SHA-256). */
export type AuthenticationSASL = { readonly kind: 'authenticationSASL'; readonly mechanisms: readonly string[] };
/** AuthenticationSASLContinue is 'R' code 11 with the server's SASL data. */
export type AuthenticationSASLContinue = { readonly kind: 'authenticationSASLContinue'; readonly data: Buffer };
/** AuthenticationSASLFinal is 'R' code 12 with the server's final SASL data. */
export type AuthenticationSASLFinal = { readonly kind: 'authenticationSASLFinal'; readonly data: Buffer };
/** AuthenticationUnsupported is any other 'R' method (Kerberos 2, GSS 7/8, SSPI 9); the proxy cannot answer it. */
export type AuthenticationUnsupported = { readonly kind: 'authenticationUnsupported'; readonly method: number };

/** CommandCompleteMessage is tag 'C' from the server: the command tag (e.g. "SELECT 3"). */
export type CommandCompleteMessage = { readonly kind: 'commandComplete'; readonly tag: string };

/** CopyResponseMessage is tag 'G' (in), 'H' (out) or 'W' (both): overall format and per-column formats. */
export type CopyResponseMessage = {
  readonly kind: 'copyInResponse' | 'copyOutResponse' | 'copyBothResponse';
  readonly format: FormatCode;
  readonly columnFormats: readonly FormatCode[];
};

/** ParameterDescriptionMessage is tag 't': the parameter type OIDs of a described statement. */
export type ParameterDescriptionMessage = { readonly kind: 'parameterDescription'; readonly paramTypes: readonly number[] };

/** NotificationMessage is tag 'A': a LISTEN/NOTIFY notification. */
export type NotificationMessage = {
  readonly kind: 'notification';
  readonly processId: number;
  readonly channel: string;
  readonly payload: string;
};

/** NoDataMessage is tag 'n'. */
export type NoDataMessage = { readonly kind: 'noData' };
/** ParseCompleteMessage is tag '1'. */
export type ParseCompleteMessage = { readonly kind: 'parseComplete' };
/** BindCompleteMessage is tag '2'. */
export type BindCompleteMessage = { readonly kind: 'bindComplete' };
/** CloseCompleteMessage is tag '3'. */
export type CloseCompleteMessage = { readonly kind: 'closeComplete' };
/** PortalSuspendedMessage is tag 's': Execute stopped at maxRows. */
export type PortalSuspendedMessage = { readonly kind: 'portalSuspended' };
/** EmptyQueryResponseMessage is tag 'I': the query string was empty. */
export type EmptyQueryResponseMessage = { readonly kind: 'emptyQueryResponse' };

/** UnknownBackendMessage is a server tag this codec does not know (e.g. NegotiateProtocolVersion 'v'); forward it unchanged. */
export type UnknownBackendMessage = { readonly kind: 'unknown'; readonly code: number };

/** BackendMessage is every server message decodeBackend returns. */
export type BackendMessage =
  | RowDescriptionMessage
  | DataRowMessage
  | ErrorResponseMessage
  | NoticeResponseMessage
  | ParameterStatusMessage
  | BackendKeyDataMessage
  | ReadyForQueryMessage
  | AuthenticationOk
  | AuthenticationCleartextPassword
  | AuthenticationMD5Password
  | AuthenticationSASL
  | AuthenticationSASLContinue
  | AuthenticationSASLFinal
  | AuthenticationUnsupported
  | CommandCompleteMessage
  | CopyResponseMessage
  | CopyDataMessage
  | CopyDoneMessage
  | ParameterDescriptionMessage
  | NoDataMessage
  | ParseCompleteMessage
  | BindCompleteMessage
  | CloseCompleteMessage
  | PortalSuspendedMessage
  | EmptyQueryResponseMessage
  | NotificationMessage
  | UnknownBackendMessage;

/** ErrorFieldsOut are the fields of an ErrorResponse / NoticeResponse the proxy writes; severity is sent as both S and V. */
export type ErrorFieldsOut = {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  /** position is the 1-based character offset into the query string (field P). */
  readonly position?: number;
  /** extra fields by one-letter code (e.g. { W: 'context' }); S, V, C, M, D, H and P are written from the named fields. */
  readonly extra?: Readonly<Record<string, string>>;
};

/** FieldDescriptionOut is a RowDescription column the proxy writes; omitted numbers are 0 (format 0 = text, size -1 when unknown is up to the caller). */
export type FieldDescriptionOut = {
  readonly name: string;
  readonly tableOID?: number;
  readonly columnAttr?: number;
  readonly dataTypeOID?: number;
  readonly dataTypeSize?: number;
  readonly typeModifier?: number;
  readonly format?: FormatCode;
};

/** BackendMessageOut is every message the proxy itself writes to a client. */
export type BackendMessageOut =
  | { readonly kind: 'authenticationOk' }
  | { readonly kind: 'authenticationCleartextPassword' }
  | ({ readonly kind: 'errorResponse' } & ErrorFieldsOut)
  | ({ readonly kind: 'noticeResponse' } & ErrorFieldsOut)
  | { readonly kind: 'parameterStatus'; readonly name: string; readonly value: string }
  | { readonly kind: 'backendKeyData'; readonly processId: number; readonly secretKey: number }
  | { readonly kind: 'readyForQuery'; readonly status: TransactionStatus }
  | { readonly kind: 'rowDescription'; readonly fields: readonly FieldDescriptionOut[] }
  /** dataRow: strings are written as UTF-8; Buffers byte-exact; null is SQL NULL. */
  | { readonly kind: 'dataRow'; readonly values: readonly (Buffer | string | null)[] }
  | { readonly kind: 'commandComplete'; readonly tag: string }
  | { readonly kind: 'emptyQueryResponse' }
  | { readonly kind: 'parseComplete' }
  | { readonly kind: 'bindComplete' }
  | { readonly kind: 'closeComplete' }
  | { readonly kind: 'noData' }
  | { readonly kind: 'copyData'; readonly data: Buffer }
  | { readonly kind: 'copyDone' }
  /** negotiateProtocolVersion answers a newer minor version or `_pq_.` options: the newest minor served, and the options not recognised. */
  | { readonly kind: 'negotiateProtocolVersion'; readonly newestMinor: number; readonly unrecognized: readonly string[] }
  /** sslResponse is the single byte answering SSLRequest / GSSENCRequest ('S' = go ahead with TLS, 'N' = no). */
  | { readonly kind: 'sslResponse'; readonly answer: 'S' | 'N' };

/** FrontendMessageOut is every message the proxy writes to the upstream server. */
export type FrontendMessageOut =
  | {
      readonly kind: 'startup';
      readonly user: string;
      readonly database?: string;
      readonly applicationName?: string;
      /** parameters are further startup parameters (e.g. client_encoding, options), written after user/database/application_name. */
      readonly parameters?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
    }
  | { readonly kind: 'sslRequest' }
  | { readonly kind: 'password'; readonly password: string }
  | { readonly kind: 'saslInitialResponse'; readonly mechanism: string; readonly data: Buffer | string }
  | { readonly kind: 'saslResponse'; readonly data: Buffer | string }
  | { readonly kind: 'query'; readonly sql: string }
  | { readonly kind: 'parse'; readonly name?: string; readonly query: string; readonly paramTypes?: readonly number[] }
  | {
      readonly kind: 'bind';
      readonly portal?: string;
      readonly statement?: string;
      readonly paramFormats?: readonly FormatCode[];
      readonly values?: readonly (Buffer | null)[];
      readonly resultFormats?: readonly FormatCode[];
    }
  | { readonly kind: 'describe'; readonly target: 'S' | 'P'; readonly name?: string }
  | { readonly kind: 'execute'; readonly portal?: string; readonly maxRows?: number }
  | { readonly kind: 'sync' }
  | { readonly kind: 'flush' }
  | { readonly kind: 'close'; readonly target: 'S' | 'P'; readonly name?: string }
  | { readonly kind: 'copyData'; readonly data: Buffer }
  | { readonly kind: 'copyDone' }
  | { readonly kind: 'copyFail'; readonly message: string }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'cancelRequest'; readonly processId: number; readonly secretKey: number };
