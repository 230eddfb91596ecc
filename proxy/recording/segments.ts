// The journal's segment files and how they are read: names `<journal>-<first seq, 12 digits>.jsonl`,
// JSON lines of chained records (chain.ts), then zeros the writer keeps ahead of its data
// (ZERO_AHEAD). Readers take complete lines up to the first zero byte: a torn final line (a crash
// in the middle of a write) and the zero tail are never records.

import { open, readFile, readdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRecordLine } from './chain.js';
import type { ChainedRecord } from './types.js';

/**
 * ZERO_AHEAD is how far ahead of its data a synced journal keeps its segment zero-filled (written
 * and synced in the background, as PostgreSQL prepares WAL segments): data written over allocated
 * blocks is made durable by fdatasync without a file-system journal commit for the file's size,
 * which halves the sync's latency and kernel time on ext4. Readers stop at the first zero byte.
 */
export const ZERO_AHEAD = 1024 * 1024;

/** SEGMENT_PATTERN matches a segment's file name: the journal id and the seq of its first record. */
export const SEGMENT_PATTERN = /^([A-Za-z0-9_.]+)-([0-9]{12})\.jsonl$/;

/** segmentName is the file name of the segment of `journal` whose first record is `seq`. */
export function segmentName(journal: string, seq: number): string {
  return `${journal}-${String(seq).padStart(12, '0')}.jsonl`;
}

/** SegmentFile is one segment found in a directory. */
export type SegmentFile = { readonly journal: string; readonly firstSeq: number; readonly name: string };

/** listSegments lists the segments in dir, sorted by journal and then first seq (none when dir is missing). */
export async function listSegments(dir: string): Promise<SegmentFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: SegmentFile[] = [];
  for (const name of names) {
    const m = SEGMENT_PATTERN.exec(name);
    if (m !== null) out.push({ journal: m[1] as string, firstSeq: Number(m[2]), name });
  }
  return out.sort((a, b) => (a.journal < b.journal ? -1 : a.journal > b.journal ? 1 : a.firstSeq - b.firstSeq));
}

/**
 * parseSegment reads the records of one segment's text: complete lines only (a final line without
 * its line feed is torn, from a crash in the middle of a write, and ignored), and a complete line
 * that is not a record is skipped (the verifier then reports the gap it leaves).
 */
export function parseSegment(text: string): ChainedRecord[] {
  // a segment ends in zeros written ahead of its data (ZERO_AHEAD): they are not data
  const zeros = text.indexOf('\0');
  const lines = (zeros === -1 ? text : text.slice(0, zeros)).split('\n');
  lines.pop(); // '' after the last line feed, or the torn final line
  const out: ChainedRecord[] = [];
  for (const line of lines) {
    if (line === '') continue;
    const r = parseRecordLine(line);
    if (r !== undefined) out.push(r); // otherwise skipped: see above
  }
  return out;
}

/** readSegment reads one segment file of dir (a regular file; anything else reads as empty). */
export async function readSegment(dir: string, name: string): Promise<ChainedRecord[]> {
  const path = join(dir, name);
  if (!(await stat(path)).isFile()) return [];
  return parseSegment(await readFile(path, 'utf8'));
}

/**
 * readSegmentFrom reads the complete lines of a segment from byte `offset` on: its records and the
 * offset after the last complete line (a line still being written is left for the next read).
 */
export async function readSegmentFrom(dir: string, name: string, offset: number): Promise<{ records: ChainedRecord[]; offset: number }> {
  const read = await completeLinesFrom(dir, name, offset);
  return { records: read.text === '' ? [] : parseSegment(read.text), offset: read.offset };
}

/** completeLinesFrom reads a segment's complete lines from byte `offset` on, and the offset after the last of them. */
async function completeLinesFrom(dir: string, name: string, offset: number): Promise<{ text: string; offset: number }> {
  const handle = await open(join(dir, name), 'r');
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { text: '', offset };
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
    // the zeros a journal writes ahead of its data (ZERO_AHEAD) are not data
    const zeros = buf.subarray(0, bytesRead).indexOf(0);
    const end = buf.subarray(0, zeros === -1 ? bytesRead : zeros).lastIndexOf(0x0a) + 1;
    return { text: buf.subarray(0, end).toString('utf8'), offset: offset + end };
  } finally {
    await handle.close();
  }
}

/**
 * ShippableRecord is what the shipper stores of a record: the line's fields, the body's text as
 * written, and the body's `kind`, `session` and `statement` (columns of their own in the store).
 */
export type ShippableRecord = {
  readonly journal: string;
  readonly seq: number;
  readonly at: string;
  readonly prev: string;
  readonly hash: string;
  readonly kind: string;
  readonly session: string | null;
  readonly statement: number | null;
  readonly bodyJson: string;
};

// A line as the journal writes it (lines.ts), up to its body; and the start of a statement or
// outcome body as the gate and the relay write them (kind, session, statement first).
const LINE_HEAD = /^\{"journal":"([A-Za-z0-9_.]+)","seq":(\d+),"at":"([0-9T:.Z-]+)","prev":"([0-9a-f]*)","hash":"([0-9a-f]{64})","body":/;
const STATEMENT_HEAD = /^\{"kind":"(statement|statement\.outcome)","session":"([^"\\]*)","statement":(\d+)[,}]/;

/**
 * shippableOf reads a line for the shipper without parsing its body where the layout is the
 * journal's own (a statement or outcome body, most of the records); any other line is parsed
 * (parseRecordLine) and taken as a record only if it is one.
 */
export function shippableOf(line: string): ShippableRecord | undefined {
  const head = LINE_HEAD.exec(line);
  if (head !== null && line.endsWith('}')) {
    const bodyJson = line.slice(head[0].length, -1);
    const st = STATEMENT_HEAD.exec(bodyJson);
    if (st !== null) {
      const statement = Number(st[3]);
      if (Number.isSafeInteger(statement) && statement <= 2_147_483_647)
        return {
          journal: head[1] as string,
          seq: Number(head[2]),
          at: head[3] as string,
          prev: head[4] as string,
          hash: head[5] as string,
          kind: st[1] as string,
          session: st[2] as string,
          statement,
          bodyJson,
        };
    }
  }
  const r = parseRecordLine(line);
  if (r === undefined) return undefined;
  const field = (name: string): unknown =>
    typeof r.body === 'object' && r.body !== null ? (r.body as Record<string, unknown>)[name] : undefined;
  const kind = field('kind');
  const session = field('session');
  const statement = field('statement');
  return {
    journal: r.journal,
    seq: r.seq,
    at: r.at,
    prev: r.prev,
    hash: r.hash,
    kind: typeof kind === 'string' ? kind : '',
    session: typeof session === 'string' ? session : null,
    statement: typeof statement === 'number' && Number.isInteger(statement) ? statement : null,
    bodyJson: r.bodyJson,
  };
}

/** readShippableFrom is readSegmentFrom for the shipper: the records as shippableOf reads them. */
export async function readShippableFrom(
  dir: string,
  name: string,
  offset: number,
): Promise<{ records: ShippableRecord[]; offset: number }> {
  const read = await completeLinesFrom(dir, name, offset);
  const records: ShippableRecord[] = [];
  const lines = read.text.split('\n');
  lines.pop(); // '' after the last line feed
  for (const line of lines) {
    const r = line === '' ? undefined : shippableOf(line);
    if (r !== undefined) records.push(r);
  }
  return { records, offset: read.offset };
}

/** readJournals yields every record of every segment in dir, by journal and then seq, ignoring torn final lines. */
export async function* readJournals(dir: string): AsyncGenerator<ChainedRecord> {
  for (const seg of await listSegments(dir)) yield* await readSegment(dir, seg.name);
}

/** syncDir makes a new file's directory entry durable (best effort: some file systems refuse to sync a directory). */
export async function syncDir(dir: string): Promise<void> {
  let d: FileHandle | undefined;
  try {
    d = await open(dir, 'r');
    await d.sync();
  } catch {
    // a directory that cannot be synced is not a failed write
  } finally {
    await d?.close().catch(() => undefined);
  }
}
