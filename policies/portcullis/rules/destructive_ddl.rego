# Destructive DDL: DROP and TRUNCATE. Only an administrator (db:admin) may run them, and only on
# tables the statement names, without CASCADE (which reaches objects, or for TRUNCATE tables, it
# does not name): what an administrator needs outside production tables (e.g. `pgbench -i`).
# A destructive statement on a production table is held for approval by production.rego (its
# tables are written). Other destructive DDL (DROP SCHEMA, DATABASE, ROLE, FUNCTION, …) is never
# run through the gateway: schema owners run it directly, outside the agents' path.
package portcullis.rules.destructive_ddl

import data.portcullis.lib.identity

deny contains {
	"reason": sprintf("%s is destructive DDL: only db:admin may run it, on the tables it names", [input.statement.command]),
	"rule": "ddl.destructive",
} if {
	destructive
	not identity.admin
}

deny contains {
	"reason": sprintf("%s ... CASCADE reaches objects the statement does not name; name every object to drop or truncate", [input.statement.command]),
	"rule": "ddl.destructive",
} if {
	destructive
	identity.admin
	input.statement.flags.cascade
}

deny contains {
	"reason": sprintf("%s is destructive DDL on objects other than tables and is never run through Portcullis; ask a database owner", [input.statement.command]),
	"rule": "ddl.destructive",
} if {
	destructive
	identity.admin
	count(input.statement.tables.written) == 0
}

destructive if input.statement.flags.destructive

destructive if input.statement.kind in {"drop", "truncate"}
