# Functions: what a statement's functions do, as the database catalog says
# (input.statement.routines: volatility, SECURITY DEFINER, EXECUTE for PUBLIC, built in; views'
# functions included). Decided on principle, not by a list of names:
#  - a read-only identity may call only functions that change nothing: immutable and stable ones
#    (PostgreSQL's own guarantee), plus the volatile ones its roles are granted by name;
#  - the server's own volatile or privileged functions act outside the tables the policy sees
#    (server files, large objects, sequences, notifications, signalling and administering other
#    sessions, sleeping, advisory locks, configuration): denied to every identity unless granted;
#  - SECURITY DEFINER functions run with their owner's privileges, stepping around the session's
#    database role: denied unless granted by name.
# Grants live in data.portcullis.functions.granted: a role (or "*" for every identity) to the
# schema-qualified names it may call. data.portcullis.functions.other_sessions names the server
# functions that report on other sessions (which are stable, so volatility alone does not catch
# them): an agent may not see sessions other than its own.
package portcullis.rules.functions

import data.portcullis.lib.identity

deny contains {
	"reason": sprintf("%s is read-only (role db:read): %s can change the database (it is %s); read-only identities may call only immutable and stable functions", [identity.name, label(r), r.volatility]),
	"rule": "functions.read_only",
} if {
	identity.read_only
	some r in input.statement.routines
	not r.volatility in {"immutable", "stable"}
	not server_function(r)
	not granted(r)
}

deny contains {
	"reason": sprintf("%s is a server function that %s; it is not allowed unless the policy grants it by name", [label(r), why_server(r)]),
	"rule": "functions.server",
} if {
	some r in input.statement.routines
	server_function(r)
	not granted(r)
}

deny contains {
	"reason": sprintf("%s runs with its owner's privileges (SECURITY DEFINER); it is not allowed unless the policy grants it by name", [label(r)]),
	"rule": "functions.security_definer",
} if {
	some r in input.statement.routines
	r.security_definer
	not granted(r)
}

# server_function holds for the server's own functions that act beyond the statement's tables.
server_function(r) if {
	r.builtin
	r.volatility == "volatile"
}

server_function(r) if {
	r.builtin
	not r.public_execute
}

server_function(r) if qualified(r) in data.portcullis.functions.other_sessions

why_server(r) := "reports on other sessions" if qualified(r) in data.portcullis.functions.other_sessions

else := "PostgreSQL reserves for privileged roles" if not r.public_execute

else := "acts outside the tables the policy sees (it is volatile)"

# granted holds when one of the identity's roles, or every identity ("*"), may call the function.
granted(r) if {
	some role in identity.roles
	qualified(r) in data.portcullis.functions.granted[role]
}

granted(r) if qualified(r) in data.portcullis.functions.granted["*"]

qualified(r) := sprintf("%s.%s", [r.schema, r.name])

label(r) := sprintf("function %s()", [r.name]) if r.schema == ""

else := sprintf("function %s.%s()", [r.schema, r.name])
