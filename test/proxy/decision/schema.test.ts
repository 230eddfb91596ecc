// docs/schemas vs. the documented examples and the code: every ```json policy-input /
// policy-decision example in docs/policy.md validates, buildPolicyInput's output validates,
// and the schemas' lists (kinds, flags, mask kinds) match the code's. The validator is a
// minimal one for the JSON Schema subset the schemas use (no new dependency).

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  HOLD_MODES,
  MASK_KINDS,
  buildPolicyInput,
  interpretApprovalResult,
  interpretLoginResult,
  interpretResult,
} from '../../../proxy/decision/index.js';
import { COLUMN_USES, STATEMENT_KINDS } from '../../../proxy/sql/index.js';
import { FLAGS, sampleParts } from './fixtures.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (p: string) => readFileSync(resolve(root, p), 'utf8');
type Schema = Record<string, unknown>;
const inputSchema = JSON.parse(read('docs/schemas/policy-input.schema.json')) as Schema;
const decisionSchema = JSON.parse(read('docs/schemas/policy-decision.schema.json')) as Schema;
const doc = read('docs/policy.md');

const SUPPORTED = new Set([
  '$schema',
  '$id',
  '$ref',
  '$defs',
  'title',
  'description',
  'type',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'enum',
  'minimum',
  'minLength',
  'maxLength',
]);

/** validate returns the list of violations of `value` against the subset of JSON Schema used. */
function validate(schema: Schema, value: unknown, rootSchema: Schema = schema, path = '$'): string[] {
  for (const k of Object.keys(schema)) if (!SUPPORTED.has(k)) return [`${path}: schema keyword ${k} not supported by the test validator`];
  if (typeof schema['$ref'] === 'string') {
    const name = schema['$ref'].replace('#/$defs/', '');
    const target = (rootSchema['$defs'] as Record<string, Schema>)[name];
    if (target === undefined) return [`${path}: unresolved ${schema['$ref']}`];
    return validate(target, value, rootSchema, path);
  }
  const errors: string[] = [];
  if (schema['type'] !== undefined) {
    const types = Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type'] as string];
    if (!types.some((t) => hasType(value, t))) return [`${path}: expected ${types.join('|')}, got ${JSON.stringify(value)}`];
  }
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof schema['minimum'] === 'number' && typeof value === 'number' && value < schema['minimum'])
    errors.push(`${path}: below minimum`);
  if (typeof schema['minLength'] === 'number' && typeof value === 'string' && value.length < schema['minLength'])
    errors.push(`${path}: too short`);
  if (typeof schema['maxLength'] === 'number' && typeof value === 'string' && value.length > schema['maxLength'])
    errors.push(`${path}: too long`);
  if (Array.isArray(value) && schema['items'] !== undefined) {
    for (const [i, v] of value.entries()) errors.push(...validate(schema['items'] as Schema, v, rootSchema, `${path}[${i}]`));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const r of (schema['required'] ?? []) as string[]) if (!(r in obj)) errors.push(`${path}: missing required ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      const p = props[k];
      if (p !== undefined) errors.push(...validate(p, v, rootSchema, `${path}.${k}`));
      else if (schema['additionalProperties'] === false) errors.push(`${path}: unexpected key ${k}`);
      else if (typeof schema['additionalProperties'] === 'object')
        errors.push(...validate(schema['additionalProperties'] as Schema, v, rootSchema, `${path}.${k}`));
    }
  }
  return errors;
}

function hasType(v: unknown, t: string): boolean {
  switch (t) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'number':
      return typeof v === 'number';
    case 'integer':
      return Number.isInteger(v);
    case 'null':
      return v === null;
    default:
      throw new Error(`unknown type ${t}`);
  }
}

/** examples extracts the fenced ```json <tag> blocks of docs/policy.md. */
function examples(tag: string): unknown[] {
  const re = new RegExp('```json ' + tag + '\\n([\\s\\S]*?)```', 'g');
  return [...doc.matchAll(re)].map((m) => JSON.parse(m[1] as string) as unknown);
}

const inputExamples = examples('policy-input');
const decisionExamples = examples('policy-decision');
const connectionSchema = JSON.parse(read('docs/schemas/connection-decision.schema.json')) as Schema;
const connectionExamples = examples('connection-decision');

describe('docs/policy.md connection entrypoint examples', () => {
  it('has a role answer and a deny answer', () => {
    expect(connectionExamples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(connectionExamples.map((value, i) => ({ note: `connection example ${i + 1}`, value })))(
    '$note validates and is what the login decider reads',
    ({ value }) => {
      expect(validate(connectionSchema, value)).toEqual([]);
      expect(interpretLoginResult([{ result: value }])).not.toMatchObject({ origin: 'error' });
    },
  );

  it.each([
    { note: 'an unknown key', value: { role: 'r', extra: 1 } },
    { note: 'an empty role', value: { role: '' } },
    { note: 'a role longer than PostgreSQL names', value: { role: 'r'.repeat(64) } },
  ])('the schema and the decider both refuse $note', ({ value }) => {
    expect(validate(connectionSchema, value)).not.toEqual([]);
    expect(interpretLoginResult([{ result: value }])).toMatchObject({ kind: 'deny', origin: 'error' });
  });
});

const approvalSchema = JSON.parse(read('docs/schemas/approval-decision.schema.json')) as Schema;
const approvalExamples = examples('approval-decision');

describe('docs/policy.md approval entrypoint examples', () => {
  it('has an allow answer and a deny answer', () => {
    expect(approvalExamples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(approvalExamples.map((value, i) => ({ note: `approval example ${i + 1}`, value })))(
    '$note validates and is what the approval decider reads',
    ({ value }) => {
      expect(validate(approvalSchema, value)).toEqual([]);
      expect(interpretApprovalResult([{ result: value }])).not.toMatchObject({
        reasons: [{ rule: 'portcullis.policy_error' }],
      });
    },
  );

  it.each([
    { note: 'an unknown key', value: { allow: true, helper: 1 } },
    { note: 'a quorum of 0', value: { allow: true, quorum: 0 } },
    { note: 'a deny entry without a rule', value: { deny: [{ reason: 'x' }] } },
  ])('the schema and the decider both refuse $note', ({ value }) => {
    expect(validate(approvalSchema, value)).not.toEqual([]);
    expect(interpretApprovalResult([{ result: value }])).toMatchObject({ kind: 'deny', reasons: [{ rule: 'portcullis.policy_error' }] });
  });
});

describe('docs/policy.md examples', () => {
  it('has examples of both documents', () => {
    expect(inputExamples.length).toBeGreaterThanOrEqual(1);
    expect(decisionExamples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(inputExamples.map((value, i) => ({ note: `input example ${i + 1}`, value })))('$note validates', ({ value }) => {
    expect(validate(inputSchema, value)).toEqual([]);
  });

  it.each(decisionExamples.map((value, i) => ({ note: `decision example ${i + 1}`, value })))(
    '$note validates and is not a policy error',
    ({ value }) => {
      expect(validate(decisionSchema, value)).toEqual([]);
      expect(interpretResult([{ result: value }])).not.toMatchObject({ origin: 'error' });
    },
  );
});

describe('schemas and code agree', () => {
  it('buildPolicyInput output validates', () => {
    expect(validate(inputSchema, buildPolicyInput(sampleParts))).toEqual([]);
    expect(
      validate(
        inputSchema,
        buildPolicyInput({ ...sampleParts, params: undefined, statement: { ...sampleParts.statement, output: undefined } }),
      ),
    ).toEqual([]);
  });

  it('statement kinds match proxy/sql', () => {
    const statement = (inputSchema['$defs'] as Record<string, Schema>)['statement'];
    const kind = (statement?.['properties'] as Record<string, Schema> | undefined)?.['kind'];
    expect(kind?.['enum']).toEqual([...STATEMENT_KINDS]);
  });

  it('flags match the fixture flags (proxy/sql StatementFlags)', () => {
    const statement = (inputSchema['$defs'] as Record<string, Schema>)['statement'];
    const flags = (statement?.['properties'] as Record<string, Schema> | undefined)?.['flags'];
    expect([...((flags?.['required'] ?? []) as string[])].sort()).toEqual(Object.keys(FLAGS).sort());
  });

  it('column uses match proxy/sql', () => {
    const use = (inputSchema['$defs'] as Record<string, Schema>)['columnUse'];
    const props = (use?.['properties'] ?? {}) as Record<string, Schema>;
    expect(props['use']?.['enum']).toEqual([...COLUMN_USES]);
  });

  it('approval modes match', () => {
    const approval = (decisionSchema['$defs'] as Record<string, Schema>)['approval'];
    const props = (approval?.['properties'] ?? {}) as Record<string, Schema>;
    expect(props['mode']?.['enum']).toEqual([...HOLD_MODES]);
  });

  it('approval entry fields match the decider (an entry with every field is read, one more key is refused)', () => {
    const entry = { reason: 'r', rule: 'x.y', ttl: '2m', min_approvals: 2, mode: 'hold' };
    const approval = (decisionSchema['$defs'] as Record<string, Schema>)['approval'] as Schema;
    expect(validate(approval, entry, decisionSchema)).toEqual([]);
    expect(interpretResult([{ result: { approval: [entry] } }])).toMatchObject({ kind: 'hold' });
    expect(validate(approval, { ...entry, extra: 1 }, decisionSchema)).not.toEqual([]);
    expect(interpretResult([{ result: { approval: [{ ...entry, extra: 1 }] } }])).toMatchObject({ origin: 'error' });
  });

  it('mask kinds match', () => {
    const mask = (decisionSchema['properties'] as Record<string, Schema>)['mask']?.['items'] as Schema;
    expect(((mask['properties'] as Record<string, Schema>)['kind'] as Schema)['enum']).toEqual([...MASK_KINDS]);
  });
});

describe('the test validator', () => {
  const good = inputExamples[0] as Record<string, unknown>;
  const cases: { note: string; schema: Schema; value: unknown; error: string }[] = [
    { note: 'missing required key', schema: inputSchema, value: { ...good, time: undefined }, error: '$: missing required time' },
    {
      note: 'missing identity claim',
      schema: inputSchema,
      value: { ...good, identity: { sub: 'a' } },
      error: '$.identity: missing required iss',
    },
    { note: 'unknown top-level key', schema: inputSchema, value: { ...good, extra: 1 }, error: '$: unexpected key extra' },
    {
      note: 'wrong kind',
      schema: inputSchema,
      value: { ...good, statement: { ...(good['statement'] as object), kind: 'drop_everything' } },
      error: '$.statement.kind: "drop_everything" not in enum',
    },
    {
      note: 'decision with a bad mask kind',
      schema: decisionSchema,
      value: { allow: true, mask: [{ table: 't', column: 'c', kind: 'x' }] },
      error: '$.mask[0].kind: "x" not in enum',
    },
    {
      note: 'decision deny without rule',
      schema: decisionSchema,
      value: { deny: [{ reason: 'r' }] },
      error: '$.deny[0]: missing required rule',
    },
  ];
  it.each(cases)('rejects $note', ({ schema, value, error }) => {
    expect(validate(schema, JSON.parse(JSON.stringify(value)) as unknown)).toContain(error);
  });
});
