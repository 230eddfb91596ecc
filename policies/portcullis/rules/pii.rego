# PII masking: columns listed in data.portcullis.pii are masked in every result that carries
# them (Portcullis binds result columns to their source columns, including aliases and `*`,
# and denies the statement when a masked column would reach the client inside an expression).
#
# data.portcullis.pii maps "schema.table" to {column: spec}; spec is a kind ("redact",
# "partial", "hash", "null") or {"kind": …, "keep": n, "allow": [use, …]} (partial: last n
# characters visible; allow: see below). Identities with the role pii:read see the values unmasked.
#
# A masked value may reach the client only as a plain result column, which the gateway rewrites.
# Every other use of a masked column (input.statement.columns.uses: inside a function, cast or
# other expression, in a filter, a join, ordering, grouping, or written elsewhere) would let the
# agent learn the value without seeing it: `WHERE card_number LIKE '4111%'` is an oracle,
# `email::int` puts the value in an error message, `set_config('x', email, false)` in a setting.
# Such statements are denied (pii.masked_use) unless the identity has pii:read or the column's
# spec lists the use in `allow` (e.g. "allow": ["filter"] lets agents filter on the column).
package portcullis.rules.pii

import data.portcullis.lib.identity

# Every configured PII column is masked on every statement, not only on statements that name its
# table: rows can also arrive through a cursor (FETCH), a prepared statement (EXECUTE) or a
# function, whose facts do not name the table. Masks bind to result columns by their source
# (table OID and column), so a mask for a table a result does not carry costs nothing.
mask contains entry if {
	not identity.roles["pii:read"]
	some table, columns in data.portcullis.pii
	some column, spec in columns
	entry := mask_entry(table, column, spec)
}

mask_entry(table, column, spec) := {"table": table, "column": column, "kind": spec} if is_string(spec)

mask_entry(table, column, spec) := {"table": table, "column": column, "kind": spec.kind, "keep": spec.keep} if {
	is_object(spec)
	is_number(spec.keep)
}

mask_entry(table, column, spec) := {"table": table, "column": column, "kind": spec.kind} if {
	is_object(spec)
	not spec.keep
}

# masked_use holds {table, column, use} for each use of a masked column the statement may make
# that is neither `output` nor allowed by the column's spec. A use whose table is '' (an
# unqualified name several tables could hold) counts for every table the statement touches; a
# use whose column is '' (an alias list, a `*`, a whole row) counts for every masked column.
masked_use contains {"table": table, "column": column, "use": u.use} if {
	not identity.roles["pii:read"]
	some u in input.statement.columns.uses
	u.use != "output"
	some table in use_tables(u)
	some column in use_columns(table, u)
	spec := data.portcullis.pii[table][column]
	not use_allowed(spec, u.use)
}

deny contains {"reason": reason, "rule": "pii.masked_use"} if {
	some m in masked_use
	reason := sprintf(
		"column %s.%s is masked and cannot be used %s: select the column itself (the gateway masks it) and work on the masked value, or ask for the pii:read role",
		[m.table, m.column, use_phrase[m.use]],
	)
}

use_phrase := {
	"expression": "inside a function, cast or other expression",
	"filter": "in a filter (WHERE, HAVING, FILTER, LIMIT)",
	"join": "as a join key (ON, USING, NATURAL)",
	"order": "for ordering (ORDER BY)",
	"group": "for grouping (GROUP BY, DISTINCT, PARTITION BY, UNION, INTERSECT, EXCEPT)",
	"store": "as a value written elsewhere (INSERT, UPDATE, MERGE, CREATE TABLE AS, SELECT INTO)",
}

use_tables(u) := {u.table} if u.table != ""

use_tables(u) := statement_tables if u.table == ""

statement_tables contains t if some t in input.statement.tables.read

statement_tables contains t if some t in input.statement.tables.written

use_columns(table, u) := {u.column} if u.column != ""

use_columns(table, u) := object.keys(data.portcullis.pii[table]) if u.column == ""

use_allowed(spec, use) if {
	is_object(spec)
	some allowed in spec.allow
	allowed == use
}
