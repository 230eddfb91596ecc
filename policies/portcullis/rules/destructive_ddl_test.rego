# Unit tests of destructive_ddl.rego (run with `npx portcullis test policies/`).
package portcullis.rules.destructive_ddl_test

import data.portcullis.fixtures

drop(tables) := {"kind": "drop", "command": "DROP TABLE", "flags": {"ddl": true, "destructive": true}, "tables": {"read": [], "written": tables}}

test_drop_is_denied_to_writers_and_readers if {
	every who in [fixtures.reader, fixtures.writer] {
		fixtures.denied_by(fixtures.decide(who, drop(["public.scratch"])))["ddl.destructive"]
	}
	some e in fixtures.decide(fixtures.writer, drop(["public.scratch"])).deny
	e.reason == "DROP TABLE is destructive DDL: only db:admin may run it, on the tables it names"
}

test_admin_may_drop_and_truncate_tables_outside_production if {
	d := fixtures.decide(fixtures.admin, drop(["public.pgbench_accounts", "public.pgbench_branches"]))
	count(d.deny) == 0
	count(d.approval) == 0
	d.allow
	t := fixtures.decide(fixtures.admin, {"kind": "truncate", "command": "TRUNCATE TABLE", "flags": {"destructive": true}, "tables": {"read": [], "written": ["public.pgbench_history"]}})
	count(t.deny) == 0
	t.allow
}

test_admin_drop_of_a_production_table_needs_approval if {
	d := fixtures.decide(fixtures.admin, drop(["public.orders"]))
	count(d.deny) == 0
	some a in d.approval
	a.rule == "production.write"
}

test_admin_cascade_is_denied if {
	d := fixtures.decide(fixtures.admin, object.union(drop(["public.scratch"]), {"flags": {"ddl": true, "destructive": true, "cascade": true}}))
	fixtures.denied_by(d)["ddl.destructive"]
}

test_admin_may_not_drop_other_objects if {
	d := fixtures.decide(fixtures.admin, {"kind": "drop", "command": "DROP SCHEMA", "flags": {"ddl": true, "destructive": true}})
	fixtures.denied_by(d)["ddl.destructive"]
	some e in d.deny
	e.reason == "DROP SCHEMA is destructive DDL on objects other than tables and is never run through Portcullis; ask a database owner"
}

test_create_table_is_not_destructive if {
	d := fixtures.decide(fixtures.admin, {"kind": "create_table", "command": "CREATE TABLE", "flags": {"ddl": true}})
	not fixtures.denied_by(d)["ddl.destructive"]
}
