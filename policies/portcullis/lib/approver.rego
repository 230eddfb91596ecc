# Helpers over the approval policy's input (docs/policy.md, "The approval entrypoint"): who the
# approver is (input.approver, verified JWT claims), which roles their token grants, whether they
# are the requester, and whether they already approved the request. The entrypoint
# portcullis/approval (approval.rego) is a package document, so its helpers live here: every rule
# of that package would be a key of its answer.
package portcullis.lib.approver

import data.portcullis.lib.identity

# approver_roles are the token roles that may act on approval requests:
# data.portcullis.approvals.approver_roles, by default ["db:approver"].
default approver_roles := ["db:approver"]

approver_roles := data.portcullis.approvals.approver_roles if is_array(data.portcullis.approvals.approver_roles)

# roles is the set of roles the approver's token grants, read exactly as lib/identity reads an
# agent's (the `roles` claim as an array or a space-separated string, `scope`, `scp`).
roles := rs if {
	rs := identity.roles with input.identity as input.approver
}

# holds_role holds when the approver's token grants one of approver_roles.
holds_role if {
	some r in approver_roles
	r in roles
}

# is_requester holds when the approver is the identity that made the request (same sub and iss).
is_requester if {
	is_string(input.approver.sub)
	is_string(input.approver.iss)
	input.approver.sub == input.request.requester.sub
	input.approver.iss == input.request.requester.iss
}

# withdrawal holds when the requester denies their own request (they may always withdraw it).
withdrawal if {
	input.action == "deny"
	is_requester
}

# already_approved holds when an approval of the same identity (sub and iss) is on the request.
already_approved if {
	some a in input.approvals_so_far
	a.sub == input.approver.sub
	a.iss == input.approver.iss
}

# has_reason holds for a reason with something besides whitespace.
has_reason if {
	is_string(input.reason)
	trim_space(input.reason) != ""
}

# name is the approver's subject, for messages.
name := n if {
	n := identity.name with input.identity as input.approver
}

# min_approvals is the quorum the request asked for (an integer of at least 1; 1 otherwise).
default min_approvals := 1

min_approvals := n if {
	n := input.request.min_approvals
	is_number(n)
	n == floor(n)
	n >= 1
}
