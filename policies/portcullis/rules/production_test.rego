# Unit tests of production.rego (run with `npx portcullis test policies/`).
package portcullis.rules.production_test

import data.portcullis.fixtures

test_write_to_production_needs_approval if {
	d := fixtures.decide(fixtures.writer, fixtures.insert_orders)
	d.allow
	count(d.deny) == 0
	d.approval == {{"reason": "INSERT writes production table public.orders; a human must approve it", "rule": "production.write"}}
}

test_write_elsewhere_needs_no_approval if {
	d := fixtures.decide(fixtures.writer, fixtures.insert_audit)
	count(d.approval) == 0
}

test_read_of_production_needs_no_approval if {
	d := fixtures.decide(fixtures.reader, fixtures.select_orders)
	count(d.approval) == 0
}
