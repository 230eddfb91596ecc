# Read-only identities: a token whose roles include db:read but neither db:write nor db:admin
# may not change anything, whatever the statement kind (INSERT, UPDATE … RETURNING, a
# data-modifying CTE inside a SELECT, SELECT INTO, COPY FROM, DDL), nor lock rows (SELECT … FOR
# UPDATE / SHARE: PostgreSQL itself grants row locks only with UPDATE privilege).
package portcullis.rules.read_only

import data.portcullis.lib.identity

deny contains {
	"reason": sprintf("%s is read-only (role db:read): %s %s is not allowed; %s", [identity.name, input.statement.command, what, identity.suggest(writers_allowing)]),
	"rule": "read_only.write",
} if {
	identity.read_only
	writes
}

# writes holds for any statement that changes data or schema.
writes if count(input.statement.tables.written) > 0

writes if input.statement.kind in write_kinds

writes if input.statement.flags.ddl

writes if input.statement.flags.data_modifying_cte

writes if input.statement.flags.into

writes if input.statement.flags.copy_from_stdin

writes if input.statement.flags.for_update

write_kinds := {"insert", "update", "delete", "merge", "copy_from", "truncate", "drop", "create_table", "alter_table", "create_function", "grant", "revoke", "call", "do", "vacuum", "lock"}

# writers_allowing are the roles that may write and whose kinds include this statement's.
writers_allowing := [r | some r in identity.allowing; r in {"db:write", "db:admin"}]

# what names the written tables, or the kind of change.
what := sprintf("on %s", [concat(", ", input.statement.tables.written)]) if count(input.statement.tables.written) > 0

else := "(it locks rows: FOR UPDATE / FOR SHARE)" if input.statement.flags.for_update

else := "(it changes the database)"
