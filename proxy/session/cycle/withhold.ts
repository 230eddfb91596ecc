// Upstream error and notice texts of a statement that touches a masked table may quote the
// masked values (`invalid input syntax for type integer: "ada@example.com"`), so the client gets
// the SQLSTATE and severity with a generic message instead; the original goes to the operator
// (event `statement.withheld`).

import type { Mask } from '../../decision/index.js';
import type { StatementFacts } from '../../sql/index.js';
import type { ErrorFieldsOut, NoticeFields } from '../../wire/index.js';

/** touchesMasks tells whether a statement reads or writes a table one of its masks applies to. */
export function touchesMasks(facts: StatementFacts, masks: readonly Mask[]): boolean {
  if (masks.length === 0) return false;
  return masks.some((m) => facts.tables.read.includes(m.table) || facts.tables.written.includes(m.table));
}

/** withheldFields are the fields the client gets in place of an upstream error or notice: severity and SQLSTATE kept, text generic. */
export function withheldFields(fields: NoticeFields, what: 'error' | 'notice'): ErrorFieldsOut {
  const code = fields['C'] ?? 'XX000';
  const severity = fields['V'] ?? fields['S'] ?? (what === 'error' ? 'ERROR' : 'NOTICE');
  const message =
    what === 'error'
      ? `portcullis: the statement failed (SQLSTATE ${code}); its message is withheld because the statement touches masked columns`
      : `portcullis: a notice (SQLSTATE ${code}) is withheld because the statement touches masked columns`;
  return { severity, code, message };
}
