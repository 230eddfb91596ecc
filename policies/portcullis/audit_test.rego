# Unit tests of audit.rego, the audit entrypoint (run with `npx portcullis test policies/`).
package portcullis.audit_test

import data.portcullis.audit

reader := {"sub": "ada", "iss": "https://issuer.test", "roles": ["audit:read"]}

admin := {"sub": "root", "iss": "https://issuer.test", "roles": "db:read audit:admin"}

agent := {"sub": "agent-7", "iss": "https://issuer.test", "roles": ["db:write"]}

ask(caller, action) := a if {
	a := audit with input as {"caller": caller, "action": action, "target": {}}
}

rules(a) := {e.rule | some e in a.deny}

test_a_reader_may_read_sessions if {
	ask(reader, "sessions.read") == {"allow": true, "deny": set()}
}

test_an_admin_may_read_terminate_and_block if {
	every action in ["sessions.read", "sessions.terminate", "identities.block", "policy.read", "policy.reload"] {
		ask(admin, action).allow
	}
}

test_a_reader_may_read_the_status if {
	ask(reader, "status.read") == {"allow": true, "deny": set()}
}

test_an_agent_may_not_read_the_status if {
	a := ask(agent, "status.read")
	not a.allow
	rules(a) == {"audit.read_role"}
}

test_the_scope_claim_counts_too if {
	ask({"sub": "s", "iss": "i", "scope": "openid audit:read"}, "sessions.read").allow
}

test_an_agent_may_not_read_sessions if {
	a := ask(agent, "sessions.read")
	not a.allow
	rules(a) == {"audit.read_role"}
}

test_a_caller_without_claims_may_not_read if {
	a := ask({}, "sessions.read")
	rules(a) == {"audit.read_role"}
}

test_a_reader_may_read_the_policy_status if {
	ask(reader, "policy.read") == {"allow": true, "deny": set()}
}

test_an_agent_may_not_read_the_policy_status if {
	a := ask(agent, "policy.read")
	not a.allow
	rules(a) == {"audit.read_role"}
}

test_a_reader_may_not_terminate_block_or_reload if {
	every action in ["sessions.terminate", "identities.block", "policy.reload"] {
		a := ask(reader, action)
		not a.allow
		rules(a) == {"audit.admin_role"}
	}
}

test_an_unknown_action_is_refused if {
	a := ask(admin, "sessions.delete")
	not a.allow
	rules(a) == {"audit.action"}
}

test_the_roles_come_from_data if {
	a := ask({"sub": "s", "iss": "i", "roles": ["sec"]}, "sessions.read") with data.portcullis.auditors as {"read_roles": ["sec"], "admin_roles": ["sec"]}
	a.allow
	b := ask(reader, "sessions.read") with data.portcullis.auditors as {"read_roles": ["sec"]}
	rules(b) == {"audit.read_role"}
}

test_the_reason_names_the_caller_and_the_roles if {
	a := ask(agent, "sessions.read")
	some e in a.deny
	e.reason == `identity "agent-7" may not read recorded sessions: the token's roles must include one of ["audit:read", "audit:admin"]`
}
