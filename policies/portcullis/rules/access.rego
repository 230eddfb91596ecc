# Access: which statement kinds each role may run (data.portcullis.roles maps a role to its
# kinds). Anything not listed is denied by Portcullis's default deny
# (rule portcullis.default_deny), so a new kind of statement is closed until a role lists it.
package portcullis.rules.access

import data.portcullis.lib.identity

# allow holds when one of the identity's roles lists the statement's kind.
default allow := false

allow if {
	some role in identity.roles
	input.statement.kind in data.portcullis.roles[role]
}

# deny explains a refusal instead of leaving it to the default deny: first for identities with
# no known role at all, so the agent knows the problem is its token, not its SQL.
deny contains {
	"reason": sprintf("%s has no database role (claims roles/scope must include one of %v); request a token with a role", [identity.name, known_roles]),
	"rule": "access.no_role",
} if {
	count(granted) == 0
}

# deny also explains a kind none of the identity's roles lists (e.g. CREATE TABLE for db:write).
deny contains {
	"reason": sprintf("%s may not run %s (statement kind %q is not granted to roles %v); %s", [identity.name, input.statement.command, input.statement.kind, sort(granted), identity.suggest(identity.allowing)]),
	"rule": "access.kind_not_granted",
} if {
	count(granted) > 0
	not allow
}

# granted is the identity's roles that data.portcullis.roles knows.
granted := {r | some r in identity.roles; data.portcullis.roles[r]}

# known_roles lists the roles data.portcullis.roles defines, for messages.
known_roles := sort([r | some r, _ in data.portcullis.roles])
