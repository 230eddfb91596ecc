# Unit tests of pii.rego (run with `npx portcullis test policies/`).
package portcullis.rules.pii_test

import data.portcullis.fixtures

select_customers := {"kind": "select", "command": "SELECT", "tables": {"read": ["public.customers"], "written": []}}

test_customers_read_masks_email_and_card if {
	d := fixtures.decide(fixtures.reader, select_customers)
	d.allow
	d.mask == {
		{"table": "public.customers", "column": "email", "kind": "partial", "keep": 4},
		{"table": "public.customers", "column": "card_number", "kind": "partial", "keep": 4},
	}
}

# Rows can reach a client through a cursor or a prepared statement whose facts name no table,
# so the masks travel with every statement; the gateway binds them to result columns.
test_masks_apply_even_when_the_statement_names_no_pii_table if {
	d := fixtures.decide(fixtures.reader, {"kind": "other", "command": "FETCH", "tables": {"read": [], "written": []}})
	count(d.mask) == 2
}

test_returning_from_a_written_table_is_masked if {
	d := fixtures.decide(fixtures.admin, {"kind": "update", "command": "UPDATE", "flags": {"has_where": true}, "tables": {"read": [], "written": ["public.customers"]}})
	count(d.mask) == 2
}

test_pii_reader_sees_values if {
	d := fixtures.decide(fixtures.pii_reader, select_customers)
	d.allow
	count(d.mask) == 0
}

test_string_spec_is_a_kind if {
	d := fixtures.decide(fixtures.reader, select_customers) with data.portcullis.pii as {"public.customers": {"email": "hash"}}
	d.mask == {{"table": "public.customers", "column": "email", "kind": "hash"}}
}
