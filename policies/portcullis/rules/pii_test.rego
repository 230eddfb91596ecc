# Unit tests of pii.rego (run with `npx portcullis test policies/`).
package portcullis.rules.pii_test

import data.portcullis.fixtures
import data.portcullis.rules.pii

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

# --- uses of masked columns (pii.masked_use) ---------------------------------------------------

select_uses(uses) := {
	"kind": "select", "command": "SELECT",
	"tables": {"read": ["public.customers", "public.orders"], "written": []},
	"columns": {"uses": uses},
}

email_use(use) := {"table": "public.customers", "column": "email", "use": use}

test_every_use_but_output_of_a_masked_column_is_denied if {
	every use in ["expression", "filter", "join", "order", "group", "store"] {
		d := fixtures.decide(fixtures.reader, select_uses([email_use(use)]))
		fixtures.denied_by(d) == {"pii.masked_use"}
	}
}

test_output_of_a_masked_column_is_allowed_and_masked if {
	d := fixtures.decide(fixtures.reader, select_uses([email_use("output")]))
	d.allow
	count(d.deny) == 0
	count(d.mask) == 2
}

test_uses_of_unmasked_columns_are_allowed if {
	uses := [
		{"table": "public.customers", "column": "name", "use": "filter"},
		{"table": "public.orders", "column": "amount", "use": "expression"},
		{"table": "public.orders", "column": "customer_id", "use": "join"},
	]
	d := fixtures.decide(fixtures.reader, select_uses(uses))
	d.allow
	count(d.deny) == 0
}

test_reason_names_the_column_and_the_use_and_what_to_do if {
	d := fixtures.decide(fixtures.reader, select_uses([{"table": "public.customers", "column": "card_number", "use": "filter"}]))
	d.deny == {{
		"rule": "pii.masked_use",
		"reason": "column public.customers.card_number is masked and cannot be used in a filter (WHERE, HAVING, FILTER, LIMIT): select the column itself (the gateway masks it) and work on the masked value, or ask for the pii:read role",
	}}
}

test_unknown_table_counts_for_every_table_the_statement_touches if {
	d := fixtures.decide(fixtures.reader, select_uses([{"table": "", "column": "email", "use": "filter"}]))
	fixtures.denied_by(d) == {"pii.masked_use"}
}

test_unknown_table_of_an_unmasked_name_is_allowed if {
	d := fixtures.decide(fixtures.reader, select_uses([{"table": "", "column": "status", "use": "filter"}]))
	count(d.deny) == 0
}

test_unknown_table_counts_only_for_tables_the_statement_touches if {
	s := {"kind": "select", "command": "SELECT", "tables": {"read": ["public.orders"], "written": []}, "columns": {"uses": [{"table": "", "column": "email", "use": "filter"}]}}
	d := fixtures.decide(fixtures.reader, s)
	count(d.deny) == 0
}

test_unknown_column_counts_for_every_masked_column_of_its_table if {
	s := select_uses([{"table": "public.customers", "column": "", "use": "order"}])
	{[e.column, e.use] | some e in pii.masked_use} == {["email", "order"], ["card_number", "order"]} with input as fixtures.input_for(fixtures.reader, s)
	fixtures.denied_by(fixtures.decide(fixtures.reader, s)) == {"pii.masked_use"}
}

test_whole_row_counts_for_every_masked_column_of_every_table if {
	d := fixtures.decide(fixtures.reader, select_uses([{"table": "", "column": "", "use": "expression"}]))
	fixtures.denied_by(d) == {"pii.masked_use"}
}

test_pii_reader_may_use_masked_columns if {
	d := fixtures.decide(fixtures.pii_reader, select_uses([email_use("filter"), email_use("expression")]))
	d.allow
	count(d.deny) == 0
}

test_spec_allow_lists_the_uses_a_policy_permits if {
	specs := {"public.customers": {"email": {"kind": "partial", "keep": 4, "allow": ["filter", "order"]}}}
	allowed := fixtures.decide(fixtures.reader, select_uses([email_use("filter"), email_use("order")])) with data.portcullis.pii as specs
	count(allowed.deny) == 0
	allowed.mask == {{"table": "public.customers", "column": "email", "kind": "partial", "keep": 4}}
	s := select_uses([email_use("filter"), email_use("expression")])
	{[e.column, e.use] | some e in pii.masked_use} == {["email", "expression"]} with input as fixtures.input_for(fixtures.reader, s) with data.portcullis.pii as specs
	fixtures.denied_by(fixtures.decide(fixtures.reader, s)) == {"pii.masked_use"} with data.portcullis.pii as specs
}

test_store_by_a_writer_is_denied if {
	s := {"kind": "update", "command": "UPDATE", "flags": {"has_where": true}, "tables": {"read": [], "written": ["public.customers"]}, "columns": {"uses": [email_use("store")]}}
	d := fixtures.decide(fixtures.writer, s)
	fixtures.denied_by(d) == {"pii.masked_use"}
}
