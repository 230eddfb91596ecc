# The login entrypoint of the example library: `data.portcullis.connection`, the object Portcullis
# evaluates once per connection, after the token verified and before the session starts (see
# docs/policy.md, "The connection entrypoint"). Its input has `identity`, `connection` and `time`
# but no statement. The answer is the database role the session runs as — the gateway runs
# `SET SESSION ROLE` once, so PostgreSQL enforces the role's GRANTs under every statement — or
# deny entries, which refuse the login.
package portcullis

import data.portcullis.rules.db_role

# METADATA
# title: connection
# description: The session's database role (key role), or deny entries (key deny) when the
#   login is refused; a role is given only when nothing denies.
# entrypoint: true
connection := {"role": db_role.role} if count(db_role.deny) == 0

else := {"deny": db_role.deny}
