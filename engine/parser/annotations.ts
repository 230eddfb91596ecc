// METADATA annotations: `# METADATA` followed by consecutive comment lines holding YAML.
// Comment tokens in, Annotation values keyed by the index of the first non-comment token after
// each block (the rule or package they precede) out; YAML errors become rego_parse_errors.

import { parseDocument } from 'yaml';
import type { Annotation } from '../ast/nodes.js';
import { error } from '../diagnostics/index.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { Token } from '../lexer/index.js';

/**
 * collectAnnotations finds METADATA blocks among all tokens (comments included) and parses them,
 * keyed by the index (among non-comment tokens) of the token each block precedes.
 */
export function collectAnnotations(all: readonly Token[], diagnostics: Diagnostic[]): Map<number, Annotation> {
  const out = new Map<number, Annotation>();
  let code = 0; // index among non-comment tokens
  for (let i = 0; i < all.length; i++) {
    const t = all[i] as Token;
    if (t.kind !== 'comment') {
      code++;
      continue;
    }
    if (t.text.slice(1).trim() !== 'METADATA') continue;
    const lines: string[] = [];
    let last = t;
    let j = i + 1;
    for (; j < all.length; j++) {
      const n = all[j] as Token;
      if (n.kind !== 'comment' || n.loc.row !== last.loc.row + 1) break;
      lines.push(n.text.slice(1));
      last = n;
    }
    const loc = { ...t.loc, length: last.loc.offset + last.loc.length - t.loc.offset };
    const annotation = parseYaml(lines.join('\n'), loc, diagnostics);
    // the next non-comment token has index `code`: comments do not count
    if (annotation !== undefined) out.set(code, annotation);
    i = j - 1;
  }
  return out;
}

function parseYaml(text: string, loc: Annotation['loc'], diagnostics: Diagnostic[]): Annotation | undefined {
  let raw: unknown;
  try {
    const doc = parseDocument(text, { logLevel: 'silent' });
    const first = doc.errors[0];
    if (first !== undefined) {
      diagnostics.push(error('rego_parse_error', `invalid METADATA block: ${first.message.split('\n')[0] ?? ''}`, loc));
      return undefined;
    }
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    diagnostics.push(error('rego_parse_error', `invalid METADATA block: ${e instanceof Error ? e.message : String(e)}`, loc));
    return undefined;
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    diagnostics.push(error('rego_parse_error', 'invalid METADATA block: expected a YAML mapping', loc));
    return undefined;
  }
  const fields = raw as Record<string, unknown>;
  const annotation: { -readonly [K in keyof Annotation]: Annotation[K] } = { raw: fields, loc };
  if (typeof fields.scope === 'string') annotation.scope = fields.scope;
  if (typeof fields.title === 'string') annotation.title = fields.title;
  if (typeof fields.entrypoint === 'boolean') annotation.entrypoint = fields.entrypoint;
  return annotation;
}
