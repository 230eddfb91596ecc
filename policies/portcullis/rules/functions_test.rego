# Unit tests of functions.rego (run with `npx portcullis test policies/`).
package portcullis.rules.functions_test

import data.portcullis.fixtures

routine(schema, name, volatility, extra) := object.union(
	{"schema": schema, "name": name, "known": true, "volatility": volatility, "security_definer": false, "public_execute": true, "builtin": schema == "pg_catalog", "kinds": ["function"]},
	extra,
)

calling(rs) := {"kind": "select", "command": "SELECT", "routines": rs}

test_reader_may_call_immutable_and_stable if {
	d := fixtures.decide(fixtures.reader, calling([routine("pg_catalog", "lower", "immutable", {}), routine("pg_catalog", "now", "stable", {})]))
	count(d.deny) == 0
	d.allow
}

test_reader_may_not_call_a_volatile_user_function if {
	d := fixtures.decide(fixtures.reader, calling([routine("public", "bump_counter", "volatile", {})]))
	fixtures.denied_by(d)["functions.read_only"]
	some e in d.deny
	e.reason == `identity "agent-reader" is read-only (role db:read): function public.bump_counter() can change the database (it is volatile); read-only identities may call only immutable and stable functions`
}

test_reader_may_not_call_an_unknown_function if {
	d := fixtures.decide(fixtures.reader, calling([{"schema": "", "name": "nope", "known": false, "volatility": "unknown", "security_definer": false, "public_execute": true, "builtin": false, "kinds": []}]))
	fixtures.denied_by(d)["functions.read_only"]
}

test_writer_may_call_a_volatile_user_function if {
	d := fixtures.decide(fixtures.writer, calling([routine("public", "bump_counter", "volatile", {})]))
	count(d.deny) == 0
}

test_server_functions_are_denied_to_everyone if {
	every who in [fixtures.reader, fixtures.writer, fixtures.admin] {
		every r in server_functions {
			fixtures.denied_by(fixtures.decide(who, calling([r])))["functions.server"]
		}
	}
}

server_functions := [
	routine("pg_catalog", "pg_terminate_backend", "volatile", {}),
	routine("pg_catalog", "pg_read_file", "volatile", {"public_execute": false}),
	routine("pg_catalog", "lo_from_bytea", "volatile", {}),
	routine("pg_catalog", "pg_sleep", "volatile", {}),
	routine("pg_catalog", "pg_stat_get_activity", "stable", {}),
	routine("pg_catalog", "pg_current_logfile", "stable", {"public_execute": false}),
]

test_server_function_reasons if {
	d := fixtures.decide(fixtures.writer, calling([routine("pg_catalog", "pg_read_file", "volatile", {"public_execute": false})]))
	some e in d.deny
	e.rule == "functions.server"
	e.reason == "function pg_catalog.pg_read_file() is a server function that PostgreSQL reserves for privileged roles; it is not allowed unless the policy grants it by name"
	d2 := fixtures.decide(fixtures.writer, calling([routine("pg_catalog", "pg_stat_get_activity", "stable", {})]))
	some e2 in d2.deny
	e2.reason == "function pg_catalog.pg_stat_get_activity() is a server function that reports on other sessions; it is not allowed unless the policy grants it by name"
}

test_granted_server_functions_follow_roles if {
	nextval := calling([routine("pg_catalog", "nextval", "volatile", {})])
	fixtures.denied_by(fixtures.decide(fixtures.reader, nextval))["functions.server"]
	count(fixtures.decide(fixtures.writer, nextval).deny) == 0
	random := calling([routine("pg_catalog", "random", "volatile", {})])
	count(fixtures.decide(fixtures.reader, random).deny) == 0
}

test_a_user_function_named_like_a_granted_one_is_not_granted if {
	d := fixtures.decide(fixtures.reader, calling([routine("public", "random", "volatile", {})]))
	fixtures.denied_by(d)["functions.read_only"]
}

test_security_definer_is_denied_unless_granted if {
	d := fixtures.decide(fixtures.admin, calling([routine("public", "as_owner", "stable", {"security_definer": true})]))
	fixtures.denied_by(d)["functions.security_definer"]
}
