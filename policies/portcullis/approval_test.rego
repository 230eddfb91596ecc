# Unit tests of approval.rego, the approval entrypoint (run with `npx portcullis test policies/`).
package portcullis.approval_test

import data.portcullis.fixtures

test_approver_with_the_role_may_approve_with_quorum_one if {
	fixtures.approve(fixtures.approver_claims, "checked the WHERE clause") == {"allow": true, "deny": set(), "quorum": 1}
}

test_roles_as_a_space_separated_string_count_too if {
	a := fixtures.approve(fixtures.second_approver_claims, "ok")
	a.allow
}

test_the_quorum_is_the_requests_min_approvals if {
	a := fixtures.act(fixtures.approval_input_for(fixtures.approver_claims, "approve", "ok", {"min_approvals": 2}, []))
	a.allow
	a.quorum == 2
}

test_the_quorum_is_at_least_one if {
	every n in [0, -3, 1.5, "2", null] {
		a := fixtures.act(fixtures.approval_input_for(fixtures.approver_claims, "approve", "ok", {"min_approvals": n}, []))
		a.quorum == 1
	}
}

test_an_approver_without_the_role_is_denied if {
	a := fixtures.approve({"sub": "mallory", "iss": "https://issuer.test", "roles": ["db:write"]}, "looks fine")
	not a.allow
	fixtures.denied_by(a) == {"approval.role"}
}

test_an_approver_without_the_role_may_not_deny_either if {
	a := fixtures.act(fixtures.approval_input_for({"sub": "mallory", "iss": "https://issuer.test"}, "deny", "no", {}, []))
	fixtures.denied_by(a) == {"approval.role"}
}

test_the_approver_roles_come_from_data if {
	a := fixtures.approve({"sub": "carol", "iss": "https://issuer.test", "roles": ["dba"]}, "ok") with data.portcullis.approvals as {"approver_roles": ["dba"]}
	a.allow
	b := fixtures.approve(fixtures.approver_claims, "ok") with data.portcullis.approvals as {"approver_roles": ["dba"]}
	fixtures.denied_by(b) == {"approval.role"}
}

test_the_requester_may_not_approve_their_own_request if {
	a := fixtures.approve(fixtures.requester_claims, "trust me")
	not a.allow
	fixtures.denied_by(a) == {"approval.self"}
}

test_the_same_sub_of_another_issuer_is_not_the_requester if {
	a := fixtures.approve({"sub": "agent-writer", "iss": "https://other.test", "roles": ["db:approver"]}, "ok")
	a.allow
}

test_the_requester_may_deny_their_own_request_without_the_role if {
	claims := {"sub": "agent-writer", "iss": "https://issuer.test", "roles": ["db:write"]}
	a := fixtures.act(fixtures.approval_input_for(claims, "deny", "not needed any more", {}, []))
	a.allow
}

test_a_reason_is_required if {
	every reason in ["", "   ", "\n\t", null] {
		a := fixtures.approve(fixtures.approver_claims, reason)
		not a.allow
		fixtures.denied_by(a) == {"approval.reason"}
	}
}

test_a_denial_needs_a_reason_too if {
	a := fixtures.act(fixtures.approval_input_for(fixtures.approver_claims, "deny", " ", {}, []))
	fixtures.denied_by(a) == {"approval.reason"}
}

test_an_approver_approves_once if {
	so_far := [{"sub": "alice", "iss": "https://issuer.test", "reason": "ok", "at": "2026-01-01T00:01:00Z"}]
	a := fixtures.act(fixtures.approval_input_for(fixtures.approver_claims, "approve", "again", {"min_approvals": 2}, so_far))
	not a.allow
	fixtures.denied_by(a) == {"approval.repeat"}
}

test_another_approver_completes_the_quorum if {
	so_far := [{"sub": "alice", "iss": "https://issuer.test", "reason": "ok", "at": "2026-01-01T00:01:00Z"}]
	a := fixtures.act(fixtures.approval_input_for(fixtures.second_approver_claims, "approve", "ok too", {"min_approvals": 2}, so_far))
	a.allow
	a.quorum == 2
}

test_an_approver_who_approved_may_still_deny if {
	so_far := [{"sub": "alice", "iss": "https://issuer.test", "reason": "ok", "at": "2026-01-01T00:01:00Z"}]
	a := fixtures.act(fixtures.approval_input_for(fixtures.approver_claims, "deny", "changed my mind", {"min_approvals": 2}, so_far))
	a.allow
}

test_an_unknown_action_is_denied if {
	a := fixtures.act(fixtures.approval_input_for(fixtures.approver_claims, "escalate", "ok", {}, []))
	fixtures.denied_by(a) == {"approval.action"}
}

test_several_reasons_are_all_reported if {
	a := fixtures.approve({"sub": "agent-writer", "iss": "https://issuer.test"}, "")
	fixtures.denied_by(a) == {"approval.role", "approval.self", "approval.reason"}
}

test_the_answer_has_only_allow_deny_and_quorum if {
	object.keys(fixtures.approve(fixtures.approver_claims, "ok")) == {"allow", "deny", "quorum"}
}
