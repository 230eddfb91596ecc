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

approver := {"sub": "alice", "iss": "https://issuer.test", "roles": ["db:approver"]}

mine := {"id": "req-1", "requester": {"sub": "agent-7", "iss": "https://issuer.test"}}

theirs := {"id": "req-2", "requester": {"sub": "agent-9", "iss": "https://issuer.test"}}

ask_about(caller, action, target) := a if {
	a := audit with input as {"caller": caller, "action": action, "target": target}
}

test_readers_admins_and_approvers_may_read_approvals if {
	every caller in [reader, admin, approver] {
		every target in [{}, {"status": "pending", "limit": 5}, mine, theirs, {"id": "nope"}] {
			ask_about(caller, "approvals.read", target) == {"allow": true, "deny": set()}
		}
	}
}

test_the_requester_may_read_its_own_request_only if {
	ask_about(agent, "approvals.read", mine).allow
	every target in [theirs, {"id": "nope"}, {}, {"status": "pending"}] {
		a := ask_about(agent, "approvals.read", target)
		not a.allow
		rules(a) == {"audit.approvals_role"}
	}
}

test_the_requester_is_the_same_issuer_and_subject if {
	other_iss := {"sub": "agent-7", "iss": "https://elsewhere.test", "roles": ["db:write"]}
	not ask_about(other_iss, "approvals.read", mine).allow
	not ask_about({"roles": ["db:write"]}, "approvals.read", {"id": "req-1", "requester": {}}).allow
}

test_a_db_reader_may_not_list_approvals if {
	a := ask_about({"sub": "bot", "iss": "https://issuer.test", "roles": ["db:read"]}, "approvals.read", {"status": "pending"})
	not a.allow
	some e in a.deny
	e == {
		"reason": `identity "bot" may not read approval requests: the token's roles must include one of ["audit:read", "audit:admin", "db:approver"]`,
		"rule": "audit.approvals_role",
	}
}

test_a_refusal_on_one_request_mentions_the_requester if {
	some e in ask_about(agent, "approvals.read", theirs).deny
	endswith(e.reason, `["audit:read", "audit:admin", "db:approver"], or the token must be the requester's`)
}

test_the_approver_roles_come_from_the_approval_data if {
	a := ask_about({"sub": "s", "iss": "i", "roles": ["four-eyes"]}, "approvals.read", {}) with data.portcullis.approvals.approver_roles as ["four-eyes"]
	a.allow
	b := ask_about(approver, "approvals.read", {}) with data.portcullis.approvals.approver_roles as ["four-eyes"]
	rules(b) == {"audit.approvals_role"}
}

test_approving_roles_do_not_read_sessions if {
	a := ask(approver, "sessions.read")
	rules(a) == {"audit.read_role"}
}
