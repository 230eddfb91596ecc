# The approval entrypoint of the example library: `data.portcullis.approval`, the package document
# Portcullis evaluates when an approver approves or denies a held statement through the admin API
# or the CLI (see docs/policy.md, "The approval entrypoint"). Its input is who acts
# (`approver`, their verified claims), what they ask (`action`: approve or deny), their `reason`,
# the `request` and the approvals already recorded (`approvals_so_far`). The answer is this
# package: `allow` (nothing denied), `deny` entries and the `quorum` the request needs. Every rule
# of this package is a key of the answer, so helpers live in lib/approver.rego.
#
# Separation of duties: a requester may never approve their own request, but may deny it (that
# withdraws it) without holding an approver role.

# METADATA
# title: approval
# description: Whether an approver may approve or deny a held request (allow, deny entries) and
#   how many approvals it needs (quorum).
# entrypoint: true
package portcullis.approval

import data.portcullis.lib.approver

# allow holds when no rule denies the action.
default allow := false

allow if count(deny) == 0

# quorum is the number of distinct approvals the request needs: its min_approvals, at least 1.
quorum := approver.min_approvals

# deny: the approver's token must grant one of the approver roles (a requester withdrawing their
# own request needs none).
deny contains {
	"reason": sprintf("%s may not act on approval requests: the token's roles must include one of %v", [approver.name, approver.approver_roles]),
	"rule": "approval.role",
} if {
	not approver.holds_role
	not approver.withdrawal
}

# deny: separation of duties, nobody approves their own request.
deny contains {
	"reason": sprintf("%s made this request and may not approve it (separation of duties); another approver must", [approver.name]),
	"rule": "approval.self",
} if {
	input.action == "approve"
	approver.is_requester
}

# deny: every approval and denial says why.
deny contains {
	"reason": "a reason is required to approve or deny a request",
	"rule": "approval.reason",
} if {
	not approver.has_reason
}

# deny: one approver counts once towards the quorum.
deny contains {
	"reason": sprintf("%s already approved this request; another approver must", [approver.name]),
	"rule": "approval.repeat",
} if {
	input.action == "approve"
	approver.already_approved
}

# deny: an action other than approve or deny is refused (fail closed).
deny contains {
	"reason": sprintf("unknown approval action %v (expected approve or deny)", [input.action]),
	"rule": "approval.action",
} if {
	not input.action in {"approve", "deny"}
}
