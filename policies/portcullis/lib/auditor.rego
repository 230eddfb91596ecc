# Helpers over the audit policy's input (docs/policy.md, "The audit entrypoint"): who the caller
# is (input.caller, verified JWT claims) and which roles their token grants. The entrypoint
# portcullis/audit (audit.rego) is a package document, so its helpers live here: every rule of
# that package would be a key of its answer.
package portcullis.lib.auditor

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

# reads are the actions that need a read role (the others need an admin role).
reads := {"sessions.read", "policy.read", "status.read"}

# verbs words each known action for messages.
verbs := {
	"sessions.read": "read recorded sessions",
	"policy.read": "read the policy status",
	"policy.reload": "reload the policy",
	"sessions.terminate": "terminate sessions",
	"identities.block": "block identities",
	"status.read": "read the gateway's status",
}

# name is the caller's subject, for messages.
name := n if {
	n := identity.name with input.identity as input.caller
}
