# PII masking: columns listed in data.portcullis.pii are masked in every result that carries
# them (Portcullis binds result columns to their source columns, including aliases and `*`,
# and denies the statement when a masked column would reach the client inside an expression).
#
# data.portcullis.pii maps "schema.table" to {column: spec}; spec is a kind ("redact",
# "partial", "hash", "null") or {"kind": …, "keep": n} (partial: last n characters visible).
# Identities with the role pii:read see the values unmasked.
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
