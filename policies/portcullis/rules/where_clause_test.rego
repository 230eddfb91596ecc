# Unit tests of where_clause.rego (run with `npx portcullis test policies/`).
package portcullis.rules.where_clause_test

import data.portcullis.fixtures

test_delete_without_where_is_denied if {
	d := fixtures.decide(fixtures.writer, {"kind": "delete", "command": "DELETE", "flags": {"delete_without_where": true}, "tables": {"read": [], "written": ["public.audit_log"]}})
	fixtures.denied_by(d) == {"dml.delete_without_where"}
	some e in d.deny
	e.reason == "DELETE without WHERE would delete every row of public.audit_log; add a WHERE clause"
}

test_update_without_where_is_denied if {
	d := fixtures.decide(fixtures.writer, {"kind": "update", "command": "UPDATE", "flags": {"update_without_where": true}, "tables": {"read": [], "written": ["public.audit_log"]}})
	fixtures.denied_by(d) == {"dml.update_without_where"}
}

test_delete_with_where_is_allowed if {
	d := fixtures.decide(fixtures.writer, {"kind": "delete", "command": "DELETE", "flags": {"has_where": true}, "tables": {"read": [], "written": ["public.audit_log"]}})
	d.allow
	count(d.deny) == 0
}
