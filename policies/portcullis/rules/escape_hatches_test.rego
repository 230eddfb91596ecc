# Unit tests of escape_hatches.rego (run with `npx portcullis test policies/`).
package portcullis.rules.escape_hatches_test

import data.portcullis.fixtures

test_copy_program_is_denied if {
	d := fixtures.decide(fixtures.admin, {"kind": "copy", "command": "COPY", "flags": {"copy_program": true}})
	fixtures.denied_by(d)["escape.copy_program"]
}

test_copy_server_file_is_denied_even_for_admins if {
	d := fixtures.decide(fixtures.admin, {"kind": "copy", "command": "COPY", "flags": {"copy_server_file": true}, "tables": {"read": ["public.orders"], "written": []}})
	fixtures.denied_by(d)["escape.copy_server_file"]
}

test_copy_to_stdout_is_not_a_server_file if {
	d := fixtures.decide(fixtures.admin, {"kind": "copy", "command": "COPY", "flags": {"copy_to_stdout": true}, "tables": {"read": ["public.orders"], "written": []}})
	not fixtures.denied_by(d)["escape.copy_server_file"]
}

test_set_role_is_denied if {
	d := fixtures.decide(fixtures.admin, {"kind": "set_role", "command": "SET", "flags": {"set_role": true}})
	fixtures.denied_by(d)["escape.set_role"]
}

test_session_authorization_is_denied if {
	d := fixtures.decide(fixtures.admin, {"kind": "set_session_authorization", "command": "SET", "flags": {"session_authorization": true}})
	fixtures.denied_by(d)["escape.set_role"]
}

test_do_block_is_denied if {
	d := fixtures.decide(fixtures.admin, {"kind": "do", "command": "DO", "flags": {"dynamic_sql": true}})
	fixtures.denied_by(d)["escape.dynamic_sql"]
}

test_plain_set_is_allowed if {
	d := fixtures.decide(fixtures.reader, {"kind": "set", "command": "SET"})
	d.allow
	count(d.deny) == 0
}

test_discard_all_is_denied_as_a_role_switch if {
	d := fixtures.decide(fixtures.admin, {"kind": "other", "command": "DISCARD ALL", "flags": {"set_role": true, "session_authorization": true}})
	some entry in d.deny
	entry.rule == "escape.set_role"
	contains(entry.reason, "DISCARD ALL")
}
