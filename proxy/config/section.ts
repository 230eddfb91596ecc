// The reader every config section validates with: a Section wraps one mapping of the parsed
// opa.config.yaml document and reads typed keys from it, recording path-addressed error strings
// (`limits.max_connections: must be an integer …`). Pure helpers shared by the section files.

import { formatDuration, parseDuration } from './durations.js';
import { parseSize } from './sizes.js';

/** isMapping tells whether a parsed YAML value is a mapping (not null, not a list). */
export function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** mapping returns the value when it is a mapping, else records `<path>: must be a mapping` and returns undefined. */
export function mapping(value: unknown, path: string, errors: string[]): Readonly<Record<string, unknown>> | undefined {
  if (isMapping(value)) return value;
  errors.push(`${path}: must be a mapping, got ${kindOf(value)}`);
  return undefined;
}

/** kindOf describes a value for an error message (`nothing`, `a list`, `string "x"`). */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${show(value)}`;
}

/** show renders a value as JSON for an error message, cut to 60 characters. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** deepFreeze freezes an object and everything it holds (defaults and validated configs are immutable). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Section reads one mapping of the document, recording path-addressed errors. */
export class Section {
  readonly #value: Readonly<Record<string, unknown>>;
  readonly #path: string;
  readonly #errors: string[];

  constructor(value: Readonly<Record<string, unknown>>, path: string, errors: string[]) {
    this.#value = value;
    this.#path = path;
    this.#errors = errors;
  }

  /** error records a message for a key of this section ('' for the section itself). */
  error(key: string, message: string): void {
    const path = key === '' ? this.#path || '(root)' : this.#path === '' ? key : `${this.#path}.${key}`;
    this.#errors.push(`${path}: ${message}`);
  }

  /** only reports keys outside the known list. */
  only(known: readonly string[]): void {
    for (const key of Object.keys(this.#value)) {
      if (!known.includes(key)) this.error(key, `unknown key (expected one of ${known.join(', ')})`);
    }
  }

  /** get returns a key's raw value (null reads as absent), recording `is required` when a required key is missing. */
  get(key: string, required = false): unknown {
    const v = this.#value[key];
    if ((v === undefined || v === null) && required) this.error(key, 'is required');
    return v === null ? undefined : v;
  }

  /** section returns the nested mapping under a key as a Section. */
  section(key: string, required: boolean): Section | undefined {
    const v = this.get(key, required);
    if (v === undefined) return undefined;
    if (!isMapping(v)) {
      this.error(key, `must be a mapping, got ${kindOf(v)}`);
      return undefined;
    }
    return new Section(v, this.#path === '' ? key : `${this.#path}.${key}`, this.#errors);
  }

  /** listItem returns the mapping at index i of the list under key as a Section (`key[i]` in errors). */
  listItem(key: string, i: number): Section | undefined {
    const list = this.get(key);
    const v: unknown = Array.isArray(list) ? list[i] : undefined;
    const path = `${this.#path === '' ? key : `${this.#path}.${key}`}[${i}]`;
    if (!isMapping(v)) {
      this.#errors.push(`${path}: must be a mapping, got ${kindOf(v)}`);
      return undefined;
    }
    return new Section(v, path, this.#errors);
  }

  /** string reads a non-empty string. */
  string(key: string, required = false): string | undefined {
    const v = this.get(key, required);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      this.error(key, `must be a non-empty string, got ${kindOf(v)}`);
      return undefined;
    }
    return v;
  }

  /** stringList reads a string or a non-empty list of non-empty strings. */
  stringList(key: string, required = false): readonly string[] | undefined {
    const v = this.get(key, required);
    if (v === undefined) return undefined;
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.length === 0) {
      this.error(key, `must be a string or a non-empty list of strings, got ${kindOf(v)}`);
      return undefined;
    }
    let ok = true;
    list.forEach((item: unknown, i: number) => {
      if (typeof item !== 'string' || item.trim() === '') {
        this.error(`${key}[${i}]`, `must be a non-empty string, got ${kindOf(item)}`);
        ok = false;
      }
    });
    return ok ? (list as string[]) : undefined;
  }

  /** boolean reads true or false. */
  boolean(key: string): boolean | undefined {
    const v = this.get(key, false);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.error(key, `must be true or false, got ${kindOf(v)}`);
      return undefined;
    }
    return v;
  }

  /** integer reads an integer within [min, max]. */
  integer(key: string, min: number, max: number): number | undefined {
    const v = this.get(key, false);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.error(key, `must be an integer from ${min} to ${max}, got ${kindOf(v)}`);
      return undefined;
    }
    return v;
  }

  /** port reads a TCP port from min (default 0) to 65535. */
  port(key: string, min = 0): number | undefined {
    return this.integer(key, min, 65535);
  }

  /** duration reads a duration (parseDuration's grammar) in milliseconds within [minMs, maxMs]. */
  duration(key: string, minMs: number, maxMs = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.get(key, false);
    if (v === undefined) return undefined;
    const ms = parseDuration(v);
    if (ms === undefined) {
      this.error(key, `must be a duration such as 500ms, 30s, 15m, 1h (or a number of seconds), got ${kindOf(v)}`);
      return undefined;
    }
    if (ms < minMs || ms > maxMs) {
      this.error(
        key,
        `${show(v)} is out of range (${formatDuration(minMs)} to ${maxMs === Number.MAX_SAFE_INTEGER ? 'unbounded' : formatDuration(maxMs)})`,
      );
      return undefined;
    }
    return ms;
  }

  /** size reads a byte count (parseSize's grammar) between min and max bytes. */
  size(key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.get(key, false);
    if (v === undefined) return undefined;
    const n = parseSize(v);
    if (n === undefined) {
      this.error(key, `must be a byte count such as 1048576, 64KiB or 1MiB, got ${kindOf(v)}`);
      return undefined;
    }
    if (n < min) {
      this.error(key, `${show(v)} is too small (at least ${min} bytes)`);
      return undefined;
    }
    if (n > max) {
      this.error(key, `${show(v)} is too large (at most ${max} bytes)`);
      return undefined;
    }
    return n;
  }

  /** oneOf reads a string from an allowed list. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.get(key, false);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.error(key, `must be one of ${allowed.join(', ')}, got ${kindOf(v)}`);
      return undefined;
    }
    return v as T;
  }
}
