# PII masking: columns listed in data.portcullis.pii are masked in every result that carries
# them (Portcullis binds result columns to their source columns, including aliases and `*`,
# and denies the statement when a masked column would reach the client inside an expression).
#
# data.portcullis.pii maps "schema.table" to {column: spec}; spec is a kind ("redact",
# "partial", "hash", "null") or {"kind": …, "keep": n} (partial: last n characters visible).
# Identities with the role pii:read see the values unmasked.
package portcullis.rules.pii

import data.portcullis.lib.identity

mask contains entry if {
	not identity.roles["pii:read"]
	some table in touched
	some column, spec in data.portcullis.pii[table]
	entry := mask_entry(table, column, spec)
}

# touched is every table a statement reads or writes (UPDATE … RETURNING returns written rows).
touched contains t if some t in input.statement.tables.read

touched contains t if some t in input.statement.tables.written

mask_entry(table, column, spec) := {"table": table, "column": column, "kind": spec} if is_string(spec)

mask_entry(table, column, spec) := {"table": table, "column": column, "kind": spec.kind, "keep": spec.keep} if {
	is_object(spec)
	is_number(spec.keep)
}

mask_entry(table, column, spec) := {"table": table, "column": column, "kind": spec.kind} if {
	is_object(spec)
	not spec.keep
}
