// Byte counts of opa.config.yaml: an integer or a number with a unit (`64KiB`, `1MiB`, `1MB`).
// Pure; used by the limits section.

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1_000_000,
  mib: 1_048_576,
  gb: 1e9,
  gib: 1_073_741_824,
};

/** parseSize reads a byte count: an integer or `64KiB`, `1MiB`, `1MB` …; undefined when malformed. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(value.trim());
  const unit = SIZE_UNITS[(m?.[2] ?? '').toLowerCase()];
  if (m === null || unit === undefined) return undefined;
  const n = Number(m[1]) * unit;
  return Number.isSafeInteger(n) ? n : undefined;
}
