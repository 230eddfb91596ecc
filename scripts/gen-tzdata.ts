// Generates engine/runtime/tzdata.bin, the IANA time zone database in the compact form the
// runtime's zone builtins read (time.date, time.clock, time.weekday, time.diff, time.add_date,
// time.format): every zone and link of a zoneinfo directory (default /usr/share/zoneinfo, Debian's tzdata
// package; the `right/` and `posix/` variants and `localtime` are skipped), compacted to OPA's time
// range and verified against Go's lookup semantics over the full TZif data (scripts/tzdata/).
// The blob is committed: it is data, regenerated when tzdata changes, never downloaded.
// Usage: tsx scripts/gen-tzdata.ts [--dir <zoneinfo>] [--check]

import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type CompactZone, compactZone, encodeZones } from './tzdata/compact.js';
import { parseTzif } from './tzdata/zone.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'engine/runtime/tzdata.bin');
const { values } = parseArgs({
  options: { dir: { type: 'string', default: '/usr/share/zoneinfo' }, check: { type: 'boolean', default: false } },
});
const dir = values.dir!;
const SKIP = new Set(['right', 'posix', 'localtime', 'posixrules']);

/** zoneFiles lists every TZif file under dir (following links) as [zone name, path]. */
function zoneFiles(at: string): [string, string][] {
  const found: [string, string][] = [];
  for (const entry of readdirSync(at)) {
    const path = join(at, entry);
    const name = relative(dir, path);
    if (SKIP.has(name)) continue;
    const st = statSync(path);
    if (st.isDirectory()) found.push(...zoneFiles(path));
    else if (st.isFile() && readFileSync(path).subarray(0, 4).toString('latin1') === 'TZif') found.push([name, path]);
  }
  return found;
}

/** tzdataVersion reads the IANA release from tzdata.zi's first line, or "unknown". */
function tzdataVersion(): string {
  const zi = join(dir, 'tzdata.zi');
  const m = existsSync(zi) ? /^# version (\S+)/.exec(readFileSync(zi, 'utf8')) : null;
  return m ? m[1]! : 'unknown';
}

if (!existsSync(dir)) {
  console.error(`gen-tzdata: ${dir} does not exist (install Debian's tzdata package or pass --dir)`);
  process.exit(2);
}
const zones = new Map<string, CompactZone>();
let transitions = 0;
for (const [name, path] of zoneFiles(dir)) {
  try {
    const c = compactZone(parseTzif(new Uint8Array(readFileSync(path))));
    zones.set(name, c);
    transitions += c.transitions.length;
  } catch (e) {
    console.error(`gen-tzdata: ${name}: ${(e as Error).message}`);
    process.exit(1);
  }
}
const version = tzdataVersion();
const blob = encodeZones(version, zones);
const summary = `tzdata ${version}: ${zones.size} names, ${transitions} transitions kept, ${blob.length} B`;
if (values.check) {
  const same = existsSync(out) && Buffer.compare(readFileSync(out), blob) === 0;
  console.log(`${summary}: ${same ? 'up to date' : 'differs from engine/runtime/tzdata.bin'}`);
  process.exit(same ? 0 : 1);
}
writeFileSync(out, blob);
console.log(`${summary} -> ${relative(root, out)}`);
