# Unit tests of read_only.rego (run with `npx portcullis test policies/`).
package portcullis.rules.read_only_test

import data.portcullis.fixtures

test_reader_insert_is_denied if {
	d := fixtures.decide(fixtures.reader, fixtures.insert_audit)
	fixtures.denied_by(d)["read_only.write"]
	some e in d.deny
	e.rule == "read_only.write"
	e.reason == `identity "agent-reader" is read-only (role db:read): INSERT on public.audit_log is not allowed; use a token with db:admin or db:write`
}

test_reader_data_modifying_cte_is_denied if {
	d := fixtures.decide(fixtures.reader, {"kind": "select", "command": "SELECT", "flags": {"data_modifying_cte": true}, "tables": {"read": ["public.orders"], "written": ["public.orders"]}})
	fixtures.denied_by(d)["read_only.write"]
}

test_reader_select_into_is_denied if {
	d := fixtures.decide(fixtures.reader, {"kind": "select", "command": "SELECT", "flags": {"into": true}})
	fixtures.denied_by(d)["read_only.write"]
}

test_reader_copy_from_stdin_is_denied if {
	d := fixtures.decide(fixtures.reader, {"kind": "copy", "command": "COPY", "flags": {"copy_from_stdin": true}, "tables": {"read": [], "written": ["public.audit_log"]}})
	fixtures.denied_by(d)["read_only.write"]
}

test_reader_row_lock_is_denied if {
	d := fixtures.decide(fixtures.reader, {"kind": "select", "command": "SELECT", "flags": {"for_update": true}, "tables": {"read": ["public.orders"], "written": []}})
	fixtures.denied_by(d)["read_only.write"]
	some e in d.deny
	e.reason == `identity "agent-reader" is read-only (role db:read): SELECT (it locks rows: FOR UPDATE / FOR SHARE) is not allowed; use a token with db:admin or db:write`
}

test_writer_row_lock_is_allowed if {
	d := fixtures.decide(fixtures.writer, {"kind": "select", "command": "SELECT", "flags": {"for_update": true}, "tables": {"read": ["public.orders"], "written": []}})
	not fixtures.denied_by(d)["read_only.write"]
}

test_scoped_reader_is_read_only_too if {
	d := fixtures.decide(fixtures.scoped, fixtures.insert_audit)
	fixtures.denied_by(d)["read_only.write"]
}

test_reader_copy_to_stdout_is_allowed if {
	d := fixtures.decide(fixtures.reader, {"kind": "copy", "command": "COPY", "flags": {"copy_to_stdout": true}, "tables": {"read": ["public.orders"], "written": []}})
	d.allow
	count(d.deny) == 0
}

test_writer_is_not_read_only if {
	d := fixtures.decide(fixtures.writer, fixtures.insert_audit)
	not fixtures.denied_by(d)["read_only.write"]
}

test_reader_create_table_names_only_the_role_that_may_create_tables if {
	d := fixtures.decide(fixtures.reader, {"kind": "create_table", "command": "CREATE TABLE", "flags": {"ddl": true}, "tables": {"read": [], "written": ["public.t"]}})
	some e in d.deny
	e.rule == "read_only.write"
	endswith(e.reason, "use a token with db:admin")
}
