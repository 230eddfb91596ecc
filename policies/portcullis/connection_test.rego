# Unit tests of connection.rego, the login entrypoint (run with `npx portcullis test policies/`).
package portcullis.connection_test

import data.portcullis.fixtures

test_reader_connection_names_the_reader_role if {
	fixtures.login(fixtures.reader) == {"role": "portcullis_reader"}
}

test_pii_reader_keeps_the_reader_role if {
	fixtures.login(fixtures.pii_reader) == {"role": "portcullis_reader"}
}

test_admin_connection_names_the_admin_role if {
	fixtures.login(fixtures.admin) == {"role": "portcullis_admin"}
}

test_unknown_role_connection_is_denied_without_a_role if {
	c := fixtures.login(fixtures.nobody)
	not c.role
	some entry in c.deny
	entry.rule == "login.no_role"
}

test_mapping_comes_from_data if {
	c := fixtures.login(fixtures.reader) with data.portcullis.db_roles as [{"token_role": "db:read", "db_role": "ro"}]
	c == {"role": "ro"}
}
