// Bundle ↔ OPA bundle bytes (gzip'd tar). Writing is deterministic: entries sorted by name,
// mtime 0, fixed mode/uid/gid/uname, gzip header without mtime, so the same Bundle always gives
// the same bytes. Reading validates: archive, `/.manifest`, the Wasm module(s) and data documents.

import { gunzipSync, gzipSync } from 'node:zlib';
import { pack as tarPack, extract as tarExtract } from 'tar-stream';
import type { Header } from 'tar-stream';
import { DATA_FILE_NAMES, isDataObject, mergeData, parseDataText } from './data-files.js';
import type { DataObject } from './data-files.js';
import {
  BundleArchiveInvalid,
  BundleDataInvalid,
  BundleManifestInvalid,
  BundleManifestMissing,
  BundleWasmInvalid,
  BundleWasmMissing,
} from './errors.js';
import { POLICY_WASM_PATH, parseManifest, serializeManifest } from './manifest.js';
import type { Manifest } from './manifest.js';

/** BundleModule is one Rego source carried in a bundle, at its path inside the archive. */
export type BundleModule = { readonly path: string; readonly text: string };

/** Bundle is a built or loaded OPA Wasm bundle. */
export type Bundle = {
  readonly manifest: Manifest;
  /** The compiled module (`/policy.wasm`), implementing every entrypoint of `manifest.wasm`. */
  readonly wasm: Uint8Array;
  /** The base document (`/data.json`, plus nested data files merged at their directories). */
  readonly data: DataObject;
  /** Rego sources shipped for reference (OPA includes them too); never `*_test.rego`. */
  readonly modules: readonly BundleModule[];
};

/** TarEntry is one file of an archive: absolute-style name (`/policy.wasm`) and bytes. */
export type TarEntry = { readonly name: string; readonly bytes: Uint8Array };

const MANIFEST_PATH = '/.manifest';
const DATA_PATH = '/data.json';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** bundleEntries lists the files a bundle is written as, sorted by name. */
export function bundleEntries(bundle: Bundle): TarEntry[] {
  const entries: TarEntry[] = [
    { name: MANIFEST_PATH, bytes: encoder.encode(serializeManifest(bundle.manifest)) },
    { name: DATA_PATH, bytes: encoder.encode(JSON.stringify(bundle.data)) },
    { name: POLICY_WASM_PATH, bytes: bundle.wasm },
    ...bundle.modules.map((m) => ({ name: normaliseEntryName(m.path), bytes: encoder.encode(m.text) })),
  ];
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]?.name === entries[i - 1]?.name) throw new BundleArchiveInvalid(`duplicate bundle entry ${entries[i]?.name}`);
  }
  return entries;
}

/** writeTarGz packs entries (in the given order) into deterministic gzip'd tar bytes. */
export async function writeTarGz(entries: readonly TarEntry[]): Promise<Uint8Array> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) {
    const header: Partial<Header> & Pick<Header, 'name'> = {
      name: e.name,
      size: e.bytes.byteLength,
      mode: 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      type: 'file',
    };
    await new Promise<void>((resolve, reject) => {
      p.entry(header, Buffer.from(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength), (err) => (err ? reject(err) : resolve()));
    });
  }
  p.finalize();
  await done;
  // gzipSync writes mtime 0 and OS "unknown"-free fixed header bytes: stable output.
  return new Uint8Array(gzipSync(Buffer.concat(chunks), { level: 9 }));
}

/** writeBundleTarball renders a Bundle as OPA bundle bytes (`bundle.tar.gz`). */
export async function writeBundleTarball(bundle: Bundle): Promise<Uint8Array> {
  return writeTarGz(bundleEntries(bundle));
}

/** readTarGz unpacks gzip'd tar bytes into regular-file entries; throws BundleArchiveInvalid. */
export async function readTarGz(bytes: Uint8Array, maxBytes: number = MAX_UNPACKED_BYTES): Promise<TarEntry[]> {
  let tar: Buffer;
  try {
    // bounded: a bundle from a server is unpacked before its signature can be checked, and a few
    // hundred KiB of gzip can stand for gigabytes of zeros
    tar = gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BundleArchiveInvalid(`bundle unpacks to more than ${maxBytes} bytes`, { cause });
    }
    throw new BundleArchiveInvalid(`bundle is not gzip data: ${(cause as Error).message}`, { cause });
  }
  if (tar.byteLength === 0) throw new BundleArchiveInvalid('bundle archive is empty');
  const ex = tarExtract();
  const entries: TarEntry[] = [];
  const consume = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const type = entry.header.type ?? 'file';
      if (type === 'file' || type === 'contiguous-file')
        entries.push({ name: normaliseEntryName(entry.header.name), bytes: new Uint8Array(Buffer.concat(chunks)) });
    }
  })();
  ex.end(tar);
  try {
    await consume;
  } catch (cause) {
    throw new BundleArchiveInvalid(`bundle is not a valid tar archive: ${(cause as Error).message}`, { cause });
  }
  return entries;
}

/** MAX_UNPACKED_BYTES bounds what a bundle archive may unpack to (512 MiB). */
export const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;

/** readBundleTarball loads and validates OPA bundle bytes; throws a BundleError (ERR_BUNDLE_*). */
export async function readBundleTarball(bytes: Uint8Array): Promise<Bundle> {
  return bundleFromEntries(await readTarGz(bytes));
}

/** bundleFromEntries validates the files of an unpacked archive as a bundle; throws a BundleError (ERR_BUNDLE_*). */
export function bundleFromEntries(entries: readonly TarEntry[]): Bundle {
  const byName = new Map(entries.map((e) => [e.name, e.bytes]));
  const manifestBytes = byName.get(MANIFEST_PATH);
  if (!manifestBytes) throw new BundleManifestMissing();
  const manifest = parseManifest(decodeText(MANIFEST_PATH, manifestBytes, (m) => new BundleManifestInvalid(m)));
  const modulePaths = [...new Set(manifest.wasm.map((w) => normaliseEntryName(w.module)))];
  if (modulePaths.length === 0) modulePaths.push(POLICY_WASM_PATH);
  if (modulePaths.length > 1) throw new BundleManifestInvalid(`.manifest names ${modulePaths.length} wasm modules; only one is supported`);
  const wasmPath = modulePaths[0] as string;
  const wasm = byName.get(wasmPath);
  if (!wasm) throw new BundleWasmMissing(`bundle has no ${wasmPath}`);
  if (!validateWasm(wasm)) throw new BundleWasmInvalid(`${wasmPath} is not a valid WebAssembly module`);
  const data: DataObject = {};
  const modules: BundleModule[] = [];
  for (const e of entries) {
    const base = e.name.slice(e.name.lastIndexOf('/') + 1);
    if (DATA_FILE_NAMES.includes(base)) {
      const dir = e.name.slice(1, e.name.lastIndexOf('/'));
      const value = parseDataText(
        e.name,
        decodeText(e.name, e.bytes, (m) => new BundleDataInvalid(m)),
      );
      if (dir === '' && !isDataObject(value)) throw new BundleDataInvalid(`${e.name}: data at the root must be an object`);
      mergeData(data, dir === '' ? [] : dir.split('/'), value, e.name);
    } else if (e.name.endsWith('.rego')) {
      modules.push({ path: e.name, text: decodeText(e.name, e.bytes, (m) => new BundleArchiveInvalid(m)) });
    }
  }
  return { manifest, wasm, data, modules };
}

// lib ES2023 + @types/node do not declare the WebAssembly global; Node 20 has it.
const wasmGlobal = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

function validateWasm(bytes: Uint8Array): boolean {
  return wasmGlobal.validate(bytes);
}

function decodeText(name: string, bytes: Uint8Array, fail: (message: string) => Error): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw fail(`${name} is not valid UTF-8`);
  }
}

/** normaliseEntryName turns `policy.wasm`, `./policy.wasm` or `/policy.wasm` into `/policy.wasm`. */
export function normaliseEntryName(name: string): string {
  let s = name.replace(/\\/g, '/');
  while (s.startsWith('./')) s = s.slice(2);
  return s.startsWith('/') ? s : `/${s}`;
}
