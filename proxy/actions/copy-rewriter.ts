// Masking of `COPY … TO STDOUT` output: the text format (delimiter-separated, backslash escapes,
// `\N` for NULL) and the CSV format (quotes, escape character, unquoted empty NULL), cut into rows
// across CopyData messages, with the masked columns rewritten and every other byte kept.
// Binary COPY cannot be rewritten; the session denies it before forwarding when masks apply.

import type { Mask, PolicyColumnRef } from '../decision/index.js';
import { maskValue } from './mask-values.js';
import { maskOptionsOf } from './result-masks.js';

/** CopyTextFormat is COPY's text format with its options. */
export type CopyTextFormat = { readonly kind: 'text'; readonly delimiter: string; readonly null: string; readonly header: boolean };

/** CopyCsvFormat is COPY's CSV format with its options (escape defaults to quote). */
export type CopyCsvFormat = {
  readonly kind: 'csv';
  readonly delimiter: string;
  readonly null: string;
  readonly quote: string;
  readonly escape: string;
  readonly header: boolean;
};

/** CopyFormat is a COPY data format; binary carries no options the rewriter could use. */
export type CopyFormat = CopyTextFormat | CopyCsvFormat | { readonly kind: 'binary' };

/** COPY_TEXT_DEFAULTS are PostgreSQL's defaults for FORMAT text. */
export const COPY_TEXT_DEFAULTS: CopyTextFormat = Object.freeze({ kind: 'text', delimiter: '\t', null: '\\N', header: false });

/** COPY_CSV_DEFAULTS are PostgreSQL's defaults for FORMAT csv. */
export const COPY_CSV_DEFAULTS: CopyCsvFormat = Object.freeze({
  kind: 'csv',
  delimiter: ',',
  null: '',
  quote: '"',
  escape: '"',
  header: false,
});

/** CopyColumnMask is the mask of one COPY column (0-based position in each row). */
export type CopyColumnMask = { readonly index: number; readonly column: PolicyColumnRef; readonly mask: Mask };

/** CopyMaskPlan is how to rewrite one COPY TO STDOUT stream. */
export type CopyMaskPlan = {
  readonly format: CopyTextFormat | CopyCsvFormat;
  readonly columns: readonly CopyColumnMask[];
  /** hashKey makes `hash` masks an HMAC (config `masking.hash_key_*`); absent: plain SHA-256. */
  readonly hashKey?: string;
};

/** CopyField is one field of a row: its raw text as sent and, for CSV, whether any part was quoted. */
type CopyField = { readonly raw: string; readonly quoted: boolean };

const TEXT_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const TEXT_ESCAPES_OUT: Readonly<Record<string, string>> = { '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't', '\v': 'v' };

/** splitTextRow cuts a text-format row (no trailing newline) at unescaped delimiters; fields stay raw. */
export function splitTextRow(row: string, delimiter: string): string[] {
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < row.length; i++) {
    const c = row[i];
    if (c === '\\') i++;
    else if (c === delimiter) {
      fields.push(row.slice(start, i));
      start = i + 1;
    }
  }
  fields.push(row.slice(start));
  return fields;
}

/** decodeCopyText turns a raw text-format field into its value (backslash escapes, octal and hex bytes). */
export function decodeCopyText(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const n = raw[++i] as string;
    if (n >= '0' && n <= '7') {
      let digits = n;
      while (digits.length < 3 && i + 1 < raw.length && /[0-7]/.test(raw[i + 1] as string)) digits += raw[++i];
      out += String.fromCharCode(parseInt(digits, 8));
    } else if (n === 'x' && i + 1 < raw.length && /[0-9a-fA-F]/.test(raw[i + 1] as string)) {
      let digits = raw[++i] as string;
      if (i + 1 < raw.length && /[0-9a-fA-F]/.test(raw[i + 1] as string)) digits += raw[++i];
      out += String.fromCharCode(parseInt(digits, 16));
    } else {
      out += TEXT_ESCAPES[n] ?? n;
    }
  }
  return out;
}

/** encodeCopyText escapes a value as PostgreSQL's COPY TO does: backslash, control characters and the delimiter. */
export function encodeCopyText(value: string, delimiter: string): string {
  let out = '';
  for (const c of value) {
    const esc = TEXT_ESCAPES_OUT[c];
    if (esc !== undefined) out += `\\${esc}`;
    else if (c === '\\' || c === delimiter) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** splitCsvRow cuts a CSV row (a complete record, without its final newline) into raw fields. */
export function splitCsvRow(row: string, format: CopyCsvFormat): CopyField[] {
  const fields: CopyField[] = [];
  let start = 0;
  let inQuote = false;
  let quoted = false;
  for (let i = 0; i < row.length; i++) {
    const c = row[i];
    if (inQuote) {
      if (c === format.escape && format.escape !== format.quote && i + 1 < row.length) {
        const n = row[i + 1];
        if (n === format.quote || n === format.escape) i++;
      } else if (c === format.quote) {
        // with escape == quote, a doubled quote is a literal quote: stay inside
        if (format.escape === format.quote && row[i + 1] === format.quote) i++;
        else inQuote = false;
      }
    } else if (c === format.quote) {
      inQuote = true;
      quoted = true;
    } else if (c === format.delimiter) {
      fields.push({ raw: row.slice(start, i), quoted });
      start = i + 1;
      quoted = false;
    }
  }
  fields.push({ raw: row.slice(start), quoted });
  return fields;
}

/** decodeCsvField returns a CSV field's value, or null for the NULL marker (unquoted and equal to it). */
export function decodeCsvField(field: CopyField, format: CopyCsvFormat): string | null {
  if (!field.quoted) return field.raw === format.null ? null : field.raw;
  let out = '';
  let inQuote = false;
  const raw = field.raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (inQuote) {
      if (c === format.escape && i + 1 < raw.length && (raw[i + 1] === format.quote || raw[i + 1] === format.escape)) {
        out += raw[++i];
      } else if (c === format.quote) inQuote = false;
      else out += c;
    } else if (c === format.quote) inQuote = true;
    else out += c;
  }
  return out;
}

/** encodeCsvField writes a value as a quoted CSV field (NULL as the unquoted NULL marker). */
export function encodeCsvField(value: string | null, format: CopyCsvFormat): string {
  if (value === null) return format.null;
  let out = format.quote;
  for (const c of value) out += c === format.quote || c === format.escape ? format.escape + c : c;
  return out + format.quote;
}

/** rewriteCopyRow masks the planned columns of one row (without its newline); other fields are kept as sent. */
export function rewriteCopyRow(row: string, plan: CopyMaskPlan): string {
  const f = plan.format;
  if (f.kind === 'text') {
    const fields = splitTextRow(row, f.delimiter);
    for (const c of plan.columns) {
      const raw = fields[c.index];
      if (raw === undefined) continue;
      const value = raw === f.null ? null : decodeCopyText(raw);
      const masked = maskValue(c.mask.kind, value, maskOptionsOf(c.mask, plan.hashKey));
      fields[c.index] = masked === null ? f.null : encodeCopyText(masked, f.delimiter);
    }
    return fields.join(f.delimiter);
  }
  const fields = splitCsvRow(row, f);
  const out = fields.map((x) => x.raw);
  for (const c of plan.columns) {
    const field = fields[c.index];
    if (field === undefined) continue;
    const masked = maskValue(c.mask.kind, decodeCsvField(field, f), maskOptionsOf(c.mask, plan.hashKey));
    out[c.index] = encodeCsvField(masked, f);
  }
  return out.join(f.delimiter);
}

/** CopyChunk is what CopyOutRewriter.push returns: bytes to send (possibly empty) and the data rows they hold. */
export type CopyChunk = { readonly data: Buffer; readonly rows: number };

const NEWLINE = 0x0a;

/**
 * CopyOutRewriter rewrites a COPY TO STDOUT stream: push each CopyData payload, send what comes
 * back, and call end() at CopyDone. Rows may be split across messages (PostgreSQL sends one row
 * per message, but the protocol does not promise it); an incomplete row is held until it ends.
 */
export class CopyOutRewriter {
  readonly #plan: CopyMaskPlan;
  #carry: Buffer = Buffer.alloc(0);
  #headerPending: boolean;

  /** constructor takes the plan for this stream. */
  constructor(plan: CopyMaskPlan) {
    this.#plan = plan;
    this.#headerPending = plan.format.header;
  }

  /** push takes one CopyData payload and returns the rewritten complete rows. */
  push(data: Buffer): CopyChunk {
    const buf = this.#carry.length === 0 ? data : Buffer.concat([this.#carry, data]);
    const parts: string[] = [];
    let rows = 0;
    let start = 0;
    for (let end = this.#rowEnd(buf, start); end >= 0; end = this.#rowEnd(buf, start)) {
      const row = buf.toString('utf8', start, end);
      if (this.#headerPending) {
        this.#headerPending = false;
        parts.push(row);
      } else {
        parts.push(rewriteCopyRow(row, this.#plan));
        rows++;
      }
      start = end + 1;
    }
    this.#carry = Buffer.from(buf.subarray(start));
    return { data: Buffer.from(parts.map((p) => `${p}\n`).join(''), 'utf8'), rows };
  }

  /** end returns the rewritten final row when the stream did not end with a newline (else an empty Buffer). */
  end(): CopyChunk {
    if (this.#carry.length === 0) return { data: Buffer.alloc(0), rows: 0 };
    const row = this.#carry.toString('utf8');
    this.#carry = Buffer.alloc(0);
    if (this.#headerPending) {
      this.#headerPending = false;
      return { data: Buffer.from(row, 'utf8'), rows: 0 };
    }
    return { data: Buffer.from(rewriteCopyRow(row, this.#plan), 'utf8'), rows: 1 };
  }

  /** #rowEnd finds the newline ending the row that starts at `start` (outside CSV quotes), or -1. */
  #rowEnd(buf: Buffer, start: number): number {
    const f = this.#plan.format;
    if (f.kind === 'text') return buf.indexOf(NEWLINE, start);
    const quote = f.quote.charCodeAt(0);
    const escapeChar = f.escape.charCodeAt(0);
    let inQuote = false;
    for (let i = start; i < buf.length; i++) {
      const b = buf[i];
      if (inQuote) {
        if (b === escapeChar && escapeChar !== quote && i + 1 < buf.length && (buf[i + 1] === quote || buf[i + 1] === escapeChar)) i++;
        else if (b === quote) inQuote = false;
      } else if (b === quote) inQuote = true;
      else if (b === NEWLINE) return i;
    }
    return -1;
  }
}
