# Database role: which PostgreSQL role a session runs as. data.portcullis.db_roles lists
# {token_role, db_role} pairs from the most privileged to the least; an identity gets the first
# pair whose token role it holds (so db:read + db:write gives the writer role, whatever the
# claims' order). An identity holding none of them is refused at login (fail closed): the
# gateway never runs a session as its own login role when this policy is loaded.
package portcullis.rules.db_role

import data.portcullis.lib.identity

# role is the database role of the first data.portcullis.db_roles entry the identity holds.
role := data.portcullis.db_roles[matches[0]].db_role if count(matches) > 0

# matches are the indexes of the entries whose token role the identity holds, in list order.
matches := [i | some i, entry in data.portcullis.db_roles; identity.roles[entry.token_role]]

# deny refuses the login of an identity with no known role, naming the roles that would do.
deny contains {
	"reason": sprintf("%s has no database role (claims roles/scope must include one of %v); request a token with a role", [identity.name, known_roles]),
	"rule": "login.no_role",
} if {
	count(matches) == 0
}

# known_roles lists the token roles data.portcullis.db_roles maps, for messages.
known_roles := sort([entry.token_role | some entry in data.portcullis.db_roles])
