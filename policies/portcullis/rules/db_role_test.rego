# Unit tests of db_role.rego (run with `npx portcullis test policies/`).
package portcullis.rules.db_role_test

import data.portcullis.fixtures
import data.portcullis.rules.db_role

test_reader_gets_the_reader_role if {
	db_role.role == "portcullis_reader" with input as fixtures.login_input_for(fixtures.reader)
}

test_writer_gets_the_writer_role if {
	db_role.role == "portcullis_writer" with input as fixtures.login_input_for(fixtures.writer)
}

test_admin_gets_the_admin_role if {
	db_role.role == "portcullis_admin" with input as fixtures.login_input_for(fixtures.admin)
}

test_scope_claim_counts if {
	db_role.role == "portcullis_reader" with input as fixtures.login_input_for(fixtures.scoped)
}

test_most_privileged_role_wins_whatever_the_order if {
	db_role.role == "portcullis_writer" with input as fixtures.login_input_for({"sub": "a", "roles": ["db:read", "db:write"]})
	db_role.role == "portcullis_writer" with input as fixtures.login_input_for({"sub": "a", "roles": ["db:write", "db:read"]})
	db_role.role == "portcullis_admin" with input as fixtures.login_input_for({"sub": "a", "roles": ["db:read", "db:admin", "pii:read"]})
}

test_unknown_role_is_refused if {
	not db_role.role with input as fixtures.login_input_for(fixtures.nobody)
	some entry in db_role.deny with input as fixtures.login_input_for(fixtures.nobody)
	entry.rule == "login.no_role"
	contains(entry.reason, "agent-nobody")
}

test_pii_read_alone_is_no_database_role if {
	count(db_role.deny) == 1 with input as fixtures.login_input_for({"sub": "a", "roles": ["pii:read"]})
}

test_no_claims_is_refused if {
	count(db_role.deny) == 1 with input as fixtures.login_input_for({"sub": "a"})
}
