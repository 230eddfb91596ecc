# Unit tests of lib/auditor.rego, the audit policy's helpers (run with `npx portcullis test policies/`).
package portcullis.lib.auditor_test

import data.portcullis.lib.auditor

caller(claims) := {"caller": claims, "action": "sessions.read", "target": {}}

test_roles_read_the_callers_claims_not_the_agents if {
	inp := object.union(caller({"sub": "a", "iss": "i", "roles": "audit:read db:read", "scp": ["x"]}), {"identity": {"roles": ["audit:admin"]}})
	auditor.roles == {"audit:read", "db:read", "x"} with input as inp
}

test_an_admin_may_read_and_administer if {
	auditor.may_read with input as caller({"roles": ["audit:admin"]})
	auditor.may_administer with input as caller({"roles": ["audit:admin"]})
}

test_a_reader_may_read_only if {
	auditor.may_read with input as caller({"roles": ["audit:read"]})
	not auditor.may_administer with input as caller({"roles": ["audit:read"]})
}

test_the_roles_default_without_data if {
	auditor.read_roles == ["audit:read", "audit:admin"] with data.portcullis.auditors as null
	auditor.admin_roles == ["audit:admin"] with data.portcullis.auditors as null
}

test_the_name_is_the_callers_subject if {
	auditor.name == `identity "ada"` with input as caller({"sub": "ada"})
	auditor.name == "this identity" with input as caller({})
}
