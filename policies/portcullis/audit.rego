# The audit entrypoint of the example library: `data.portcullis.audit`, the package document
# Portcullis evaluates when someone reads recorded sessions or approval requests, or acts on
# sessions, identities or the policy, through the admin API or the CLI (see docs/policy.md, "The
# audit entrypoint"). Its input is who asks (`caller`, their verified claims), what they ask
# (`action`: sessions.read, sessions.terminate, identities.block, policy.read, policy.reload,
# status.read or approvals.read) and what it is about (`target`: for approvals.read the list's
# filters, or one request's id and requester). The answer is this package: `allow` (nothing
# denied) and `deny` entries. Every rule of this package is a key of the answer, so helpers live
# in lib/auditor.rego.

# METADATA
# title: audit
# description: Whether a caller may read recorded sessions or approval requests, terminate a
#   session, block an identity, read or reload the policy, or read the status (allow, deny entries).
# entrypoint: true
package portcullis.audit

import data.portcullis.lib.auditor

# allow holds when no rule denies the action.
default allow := false

allow if count(deny) == 0

# deny: reading recorded sessions, the policy status or the gateway's status needs one of the read roles (audit:read or audit:admin by default).
deny contains {
	"reason": sprintf("%s may not %s: the token's roles must include one of %v", [auditor.name, auditor.verbs[input.action], auditor.read_roles]),
	"rule": "audit.read_role",
} if {
	auditor.reads[input.action]
	not auditor.may_read
}

# deny: terminating a session, blocking an identity or reloading the policy needs one of the admin roles (audit:admin by default).
deny contains {
	"reason": sprintf("%s may not %s: the token's roles must include one of %v", [auditor.name, auditor.verbs[input.action], auditor.admin_roles]),
	"rule": "audit.admin_role",
} if {
	auditor.verbs[input.action]
	not auditor.reads[input.action]
	input.action != "approvals.read"
	not auditor.may_administer
}

# deny: reading approval requests (their statements, parameters and requesters) needs one of the
# read roles or one of the approver roles (data.portcullis.approvals.approver_roles); the
# requester of one request may read that request (an agent polls its own held statement).
deny contains {
	"reason": sprintf("%s may not %s: the token's roles must include one of %v%s", [auditor.name, auditor.verbs[input.action], auditor.approval_readers, auditor.or_requester]),
	"rule": "audit.approvals_role",
} if {
	input.action == "approvals.read"
	not auditor.may_read_approvals
}

# deny: an action other than the known ones is refused (fail closed).
deny contains {
	"reason": sprintf("unknown audit action %v (expected one of %v)", [input.action, object.keys(auditor.verbs)]),
	"rule": "audit.action",
} if {
	not auditor.verbs[input.action]
}
