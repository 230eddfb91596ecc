# Unit tests of access.rego (run with `npx portcullis test policies/`).
package portcullis.rules.access_test

import data.portcullis.fixtures

test_reader_may_select if {
	d := fixtures.decide(fixtures.reader, fixtures.select_orders)
	d.allow
}

test_scope_claim_grants_the_role if {
	d := fixtures.decide(fixtures.scoped, fixtures.select_orders)
	d.allow
	count(d.deny) == 0
}

test_writer_may_insert if {
	d := fixtures.decide(fixtures.writer, fixtures.insert_audit)
	d.allow
	count(d.deny) == 0
}

test_no_known_role_is_denied_with_a_token_hint if {
	d := fixtures.decide(fixtures.nobody, fixtures.select_orders)
	not d.allow
	fixtures.denied_by(d) == {"access.no_role"}
	some e in d.deny
	endswith(e.reason, "request a token with a role")
}

test_writer_may_not_create_tables if {
	d := fixtures.decide(fixtures.writer, {"kind": "create_table", "command": "CREATE TABLE", "flags": {"ddl": true}, "tables": {"read": [], "written": ["public.t"]}})
	not d.allow
	fixtures.denied_by(d) == {"access.kind_not_granted"}
}

test_unknown_kind_is_denied_for_everyone if {
	d := fixtures.decide(fixtures.admin, {"kind": "other", "command": "DISCARD ALL"})
	not d.allow
	fixtures.denied_by(d) == {"access.kind_not_granted"}
}

test_admin_may_create_tables if {
	d := fixtures.decide(fixtures.admin, {"kind": "create_table", "command": "CREATE TABLE", "flags": {"ddl": true}, "tables": {"read": [], "written": ["public.t"]}})
	d.allow
	count(d.deny) == 0
}

test_a_refusal_names_the_roles_that_would_allow_it if {
	d := fixtures.decide(fixtures.writer, {"kind": "create_table", "command": "CREATE TABLE", "flags": {"ddl": true}, "tables": {"read": [], "written": ["public.t"]}})
	some e in d.deny
	e.reason == `identity "agent-writer" may not run CREATE TABLE (statement kind "create_table" is not granted to roles ["db:write"]); use a token with db:admin`
}

test_a_refusal_says_when_no_role_allows_it if {
	d := fixtures.decide(fixtures.admin, {"kind": "other", "command": "DISCARD ALL"})
	some e in d.deny
	endswith(e.reason, "no role allows it; ask a database owner")
}
