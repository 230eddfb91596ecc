# Fixtures for the policy unit tests: identities and a function building a complete policy
# input from a few overrides (merged two levels deep, so {"flags": {"ddl": true}} changes one
# flag). No test_ rules here.
package portcullis.fixtures

reader := {"sub": "agent-reader", "roles": ["db:read"]}

writer := {"sub": "agent-writer", "roles": ["db:write"]}

admin := {"sub": "agent-admin", "roles": ["db:admin"]}

# scoped carries its role in an OAuth scope string instead of a roles claim.
scoped := {"sub": "agent-scoped", "scope": "openid db:read"}

nobody := {"sub": "agent-nobody", "roles": ["billing"]}

pii_reader := {"sub": "agent-support", "roles": ["db:read", "pii:read"]}

base_statement := {
	"kind": "select",
	"command": "SELECT",
	"text": "SELECT 1",
	"tables": {"read": [], "written": []},
	"columns": {"read": [], "written": [], "uses": []},
	"functions": [],
	"routines": [],
	"flags": {
		"ddl": false, "destructive": false, "delete_without_where": false, "update_without_where": false,
		"copy_program": false, "copy_server_file": false, "copy_from_stdin": false, "copy_to_stdout": false, "dynamic_sql": false,
		"set_role": false, "session_authorization": false, "data_modifying_cte": false,
		"select_star": false, "has_where": false, "for_update": false, "into": false, "cascade": false,
	},
	"parameters": 0,
	"fingerprint": "0000000000000000",
	"output": null,
	"params": null,
}

# input_for builds the input for an identity (claims merged over defaults) and statement overrides.
input_for(claims, statement) := {
	"identity": merge({"iss": "https://issuer.test", "aud": "portcullis", "exp": 1893456000}, claims),
	"connection": {"database": "app", "user": "agent", "application_name": "psql", "client_address": "127.0.0.1", "tls": false},
	"statement": merge(base_statement, statement),
	"session": {"statements": 0, "rows_returned": 0, "in_transaction": false, "age_seconds": 1},
	"time": {"now_ns": 1767225600000000000, "rfc3339": "2026-01-01T00:00:00Z"},
}

# login_input_for builds the input of the login entrypoint (no statement, no session) for an identity.
login_input_for(claims) := {
	"identity": merge({"iss": "https://issuer.test", "aud": "portcullis", "exp": 1893456000}, claims),
	"connection": {"database": "app", "user": "agent", "application_name": "psql", "client_address": "127.0.0.1", "tls": false},
	"time": {"now_ns": 1767225600000000000, "rfc3339": "2026-01-01T00:00:00Z"},
}

# login evaluates the library's connection entrypoint for an identity.
login(claims) := c if {
	c := data.portcullis.connection with input as login_input_for(claims)
}

# decide evaluates the library's decision for an identity and statement overrides.
decide(claims, statement) := d if {
	d := data.portcullis.decision with input as input_for(claims, statement)
}

# approver_claims is an identity allowed to act on approval requests; requester_claims made the request.
approver_claims := {"sub": "alice", "iss": "https://issuer.test", "roles": ["db:approver"]}

second_approver_claims := {"sub": "bob", "iss": "https://issuer.test", "roles": "db:read db:approver"}

requester_claims := {"sub": "agent-writer", "iss": "https://issuer.test", "roles": ["db:write", "db:approver"]}

# approval_request is a pending request of requester_claims (the approval input's `request`).
approval_request := {
	"id": "req-1",
	"status": "pending",
	"mode": "hold",
	"requester": {"sub": "agent-writer", "iss": "https://issuer.test", "claims": requester_claims},
	"session": "s-1",
	"database": "app",
	"statements": [{"text": "UPDATE orders SET total = 0 WHERE id = 1", "params": null, "fingerprint": "0000000000000000", "kind": "update", "tables": {"read": [], "written": ["public.orders"]}}],
	"reasons": [{"reason": "UPDATE writes production table public.orders; a human must approve it", "rule": "production.write"}],
	"min_approvals": 1,
	"policy_revision": "",
	"created_at": "2026-01-01T00:00:00Z",
	"expires_at": "2026-01-01T00:05:00Z",
	"resolved_at": null,
	"executed_at": null,
}

# approval_input_for builds the approval entrypoint's input: approver claims, action and reason,
# request overrides (merged one level deep) and the approvals already recorded.
approval_input_for(claims, action, reason, request, so_far) := {
	"approver": claims,
	"action": action,
	"reason": reason,
	"request": merge(approval_request, request),
	"approvals_so_far": so_far,
}

# approve evaluates the library's approval entrypoint for an approver approving with a reason.
approve(claims, reason) := a if {
	a := data.portcullis.approval with input as approval_input_for(claims, "approve", reason, {}, [])
}

# act evaluates the approval entrypoint for any input built by approval_input_for.
act(inp) := a if {
	a := data.portcullis.approval with input as inp
}

# denied_by holds the set of deny rule ids of a decision.
denied_by(d) := {e.rule | some e in d.deny}

select_orders := {"kind": "select", "command": "SELECT", "tables": {"read": ["public.orders"], "written": []}}

insert_audit := {"kind": "insert", "command": "INSERT", "tables": {"read": [], "written": ["public.audit_log"]}}

insert_orders := {"kind": "insert", "command": "INSERT", "tables": {"read": [], "written": ["public.orders"]}}

# merge overlays object b on object a, merging values that are objects on both sides one level
# deeper (OPA's object.union is not native in our engine, and Rego functions cannot recurse).
merge(a, b) := {k: v |
	some k in (object.keys(a) | object.keys(b))
	v := merged_value(a, b, k)
}

merged_value(a, b, k) := {j: w |
	some j in (object.keys(a[k]) | object.keys(b[k]))
	w := object.get(b[k], j, object.get(a[k], j, null))
} if {
	both_objects(a, b, k)
}

merged_value(a, b, k) := object.get(b, k, object.get(a, k, null)) if not both_objects(a, b, k)

both_objects(a, b, k) if {
	is_object(a[k])
	is_object(b[k])
}
