# Unit tests of destructive_ddl.rego (run with `npx portcullis test policies/`).
package portcullis.rules.destructive_ddl_test

import data.portcullis.fixtures

drop_table := {"kind": "drop", "command": "DROP TABLE", "flags": {"ddl": true, "destructive": true}, "tables": {"read": [], "written": ["public.orders"]}}

test_drop_is_denied_even_for_admin if {
	d := fixtures.decide(fixtures.admin, drop_table)
	fixtures.denied_by(d)["ddl.destructive"]
	some e in d.deny
	e.reason == "DROP TABLE is destructive DDL and is never allowed through Portcullis; ask a database owner"
}

test_truncate_kind_alone_is_denied if {
	d := fixtures.decide(fixtures.admin, {"kind": "truncate", "command": "TRUNCATE TABLE"})
	fixtures.denied_by(d)["ddl.destructive"]
}

test_create_table_is_not_destructive if {
	d := fixtures.decide(fixtures.admin, {"kind": "create_table", "command": "CREATE TABLE", "flags": {"ddl": true}})
	not fixtures.denied_by(d)["ddl.destructive"]
}
