# Tests of the gathering entrypoint: its shape and the precedence the library relies on.
package portcullis.decision_test

import data.portcullis.fixtures

test_decision_has_every_key if {
	d := fixtures.decide(fixtures.reader, fixtures.select_orders)
	object.keys(d) == {"allow", "deny", "approval", "mask"}
}

test_reader_select_is_allowed_with_nothing_else if {
	d := fixtures.decide(fixtures.reader, fixtures.select_orders)
	d.allow == true
	count(d.deny) == 0
	count(d.approval) == 0
	every m in d.mask { m.table == "public.customers" }
}

test_deny_and_approval_can_both_be_present if {
	# a read-only identity writing a production table: Portcullis reports the deny (deny wins).
	d := fixtures.decide(fixtures.reader, fixtures.insert_orders)
	fixtures.denied_by(d)["read_only.write"]
	count(d.approval) == 1
}

test_specific_deny_replaces_the_access_explanation if {
	# a reader inserting: not granted (access) and read-only; only the specific reason is kept.
	d := fixtures.decide(fixtures.reader, fixtures.insert_audit)
	fixtures.denied_by(d) == {"read_only.write"}
}

test_access_explanation_when_nothing_specific if {
	d := fixtures.decide(fixtures.writer, {"kind": "vacuum", "command": "VACUUM"})
	fixtures.denied_by(d) == {"access.kind_not_granted"}
}
