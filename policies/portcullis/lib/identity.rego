# Helpers over input.identity (the verified JWT claims): the roles a token grants and a
# printable name for messages.
package portcullis.lib.identity

# roles is the set of roles the token grants: the `roles` claim (an array, or a space-separated
# string) plus the OAuth `scope` (space-separated string) and `scp` (array) claims.
roles contains r if {
	is_array(input.identity.roles)
	some r in input.identity.roles
	is_string(r)
}

roles contains r if {
	is_string(input.identity.roles)
	some r in split(input.identity.roles, " ")
	r != ""
}

roles contains r if {
	is_string(input.identity.scope)
	some r in split(input.identity.scope, " ")
	r != ""
}

roles contains r if {
	is_array(input.identity.scp)
	some r in input.identity.scp
	is_string(r)
}

# read_only holds for an identity that may read but holds no role that allows writing.
read_only if {
	roles["db:read"]
	not writer
}

writer if roles["db:write"]

writer if roles["db:admin"]

# name is the token subject, for messages.
default name := "this identity"

name := sprintf("identity %q", [input.identity.sub]) if is_string(input.identity.sub)
