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

# admin holds for an identity with the administrator role.
admin if roles["db:admin"]

# allowing lists the roles data.portcullis.roles grants the statement's kind, sorted: what a
# refusal suggests (an empty list: no role allows it).
allowing := sort([r | some r, kinds in data.portcullis.roles; input.statement.kind in kinds])

# suggest words a suggestion from a list of roles: "use a token with db:write or db:admin", or
# that no role allows it.
suggest(rs) := sprintf("use a token with %s", [concat(" or ", rs)]) if count(rs) > 0

else := "no role allows it; ask a database owner"
