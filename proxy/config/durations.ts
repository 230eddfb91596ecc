// Durations of opa.config.yaml (and of CLI flags such as `portcullis token --ttl`): one grammar,
// `500ms`, `30s`, `15m`, `1.5h`, `1h30m` or a bare number of seconds, read into milliseconds.
// Pure; shared by every config section and by proxy/cli.

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** parseDuration reads `500ms`, `30s`, `15m`, `1h`, `1h30m` or a number of seconds into milliseconds. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string' || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value)) return undefined;
  let ms = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * (DURATION_UNITS[m[2] as string] ?? 0);
  return Math.round(ms);
}

/** formatDuration renders milliseconds in the largest whole unit (`1h`, `5m`, `30s`, `250ms`) for messages. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
