# Helpers over the audit policy's input (docs/policy.md, "The audit entrypoint"): who the caller
# is (input.caller, verified JWT claims) and which roles their token grants. The entrypoint
# portcullis/audit (audit.rego) is a package document, so its helpers live here: every rule of
# that package would be a key of its answer.
package portcullis.lib.auditor

import data.portcullis.lib.approver
import data.portcullis.lib.identity

# read_roles are the token roles that may read recorded sessions:
# data.portcullis.auditors.read_roles, by default ["audit:read", "audit:admin"].
default read_roles := ["audit:read", "audit:admin"]

read_roles := data.portcullis.auditors.read_roles if is_array(data.portcullis.auditors.read_roles)

# admin_roles are the token roles that may terminate sessions and block identities:
# data.portcullis.auditors.admin_roles, by default ["audit:admin"].
default admin_roles := ["audit:admin"]

admin_roles := data.portcullis.auditors.admin_roles if is_array(data.portcullis.auditors.admin_roles)

# roles is the set of roles the caller's token grants, read exactly as lib/identity reads an
# agent's (the `roles` claim as an array or a space-separated string, `scope`, `scp`).
roles := rs if {
	rs := identity.roles with input.identity as input.caller
}

# may_read holds when the caller's token grants one of read_roles.
may_read if {
	some r in read_roles
	r in roles
}

# may_administer holds when the caller's token grants one of admin_roles.
may_administer if {
	some r in admin_roles
	r in roles
}

# approval_readers are the token roles that may read approval requests: read_roles and the
# approver roles (data.portcullis.approvals.approver_roles, as lib/approver reads them).
approval_readers := array.concat(read_roles, approver.approver_roles)

# may_read_approvals holds when the caller may read approval requests (approvals.read): their
# token grants one of approval_readers, or they made the one request the target names.
may_read_approvals if {
	some r in approval_readers
	r in roles
}

may_read_approvals if is_requester

# is_requester holds when the target is one request (target.id) and the caller made it (same sub
# and iss as target.requester); a list has no requester.
is_requester if {
	is_string(input.target.id)
	is_string(input.caller.sub)
	is_string(input.caller.iss)
	input.caller.sub == input.target.requester.sub
	input.caller.iss == input.target.requester.iss
}

# or_requester ends the refusal of approvals.read on one request: its requester may read it too.
default or_requester := ""

or_requester := ", or the token must be the requester's" if is_string(input.target.id)

# reads are the actions that need a read role; approvals.read is may_read_approvals' (the others
# need an admin role).
reads := {"sessions.read", "policy.read", "status.read"}

# verbs words each known action for messages.
verbs := {
	"sessions.read": "read recorded sessions",
	"policy.read": "read the policy status",
	"policy.reload": "reload the policy",
	"sessions.terminate": "terminate sessions",
	"identities.block": "block identities",
	"status.read": "read the gateway's status",
	"approvals.read": "read approval requests",
}

# name is the caller's subject, for messages.
name := n if {
	n := identity.name with input.identity as input.caller
}
