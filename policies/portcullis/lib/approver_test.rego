# Unit tests of lib/approver.rego, the approval policy's helpers (run with `npx portcullis test policies/`).
package portcullis.lib.approver_test

import data.portcullis.fixtures
import data.portcullis.lib.approver

test_roles_read_the_approvers_claims_not_the_agents if {
	inp := fixtures.approval_input_for({"sub": "a", "iss": "i", "roles": "db:approver db:read", "scp": ["x"]}, "approve", "ok", {}, [])
	approver.roles == {"db:approver", "db:read", "x"} with input as inp
}

test_is_requester_needs_sub_and_iss if {
	approver.is_requester with input as fixtures.approval_input_for(fixtures.requester_claims, "approve", "ok", {}, [])
	not approver.is_requester with input as fixtures.approval_input_for({"sub": "agent-writer", "iss": "x"}, "approve", "ok", {}, [])
	not approver.is_requester with input as fixtures.approval_input_for({"iss": "https://issuer.test"}, "approve", "ok", {}, [])
}

test_withdrawal_is_the_requester_denying if {
	approver.withdrawal with input as fixtures.approval_input_for(fixtures.requester_claims, "deny", "ok", {}, [])
	not approver.withdrawal with input as fixtures.approval_input_for(fixtures.requester_claims, "approve", "ok", {}, [])
	not approver.withdrawal with input as fixtures.approval_input_for(fixtures.approver_claims, "deny", "ok", {}, [])
}

test_min_approvals_defaults_to_one if {
	approver.min_approvals == 3 with input as fixtures.approval_input_for(fixtures.approver_claims, "approve", "ok", {"min_approvals": 3}, [])
	approver.min_approvals == 1 with input as fixtures.approval_input_for(fixtures.approver_claims, "approve", "ok", {"min_approvals": 0}, [])
}
