# Unit tests of identity.rego (run with `npx portcullis test policies/`).
package portcullis.lib.identity_test

import data.portcullis.fixtures
import data.portcullis.lib.identity

test_roles_from_array_claim if {
	identity.roles == {"db:read"} with input as fixtures.input_for(fixtures.reader, {})
}

test_roles_from_string_claim if {
	identity.roles == {"db:read", "db:write"} with input as fixtures.input_for({"sub": "a", "roles": "db:read db:write"}, {})
}

test_roles_from_scope_and_scp if {
	identity.roles == {"openid", "db:read", "db:admin"} with input as fixtures.input_for({"sub": "a", "scope": "openid db:read", "scp": ["db:admin"]}, {})
}

test_reader_is_read_only if {
	identity.read_only with input as fixtures.input_for(fixtures.reader, {})
}

test_writer_is_not_read_only if {
	not identity.read_only with input as fixtures.input_for({"sub": "a", "roles": ["db:read", "db:write"]}, {})
}

test_name_quotes_the_subject if {
	identity.name == `identity "agent-reader"` with input as fixtures.input_for(fixtures.reader, {})
}
