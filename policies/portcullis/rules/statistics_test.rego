# Unit tests of statistics.rego (run with `npx portcullis test policies/`).
package portcullis.rules.statistics_test

import data.portcullis.fixtures

reading(t) := {"kind": "select", "command": "SELECT", "tables": {"read": [t], "written": []}}

test_column_statistics_are_denied_while_columns_are_masked if {
	some t in ["pg_catalog.pg_statistic", "pg_catalog.pg_statistic_ext_data"]
	some who in [fixtures.reader, fixtures.writer, fixtures.admin]
	d := fixtures.decide(who, reading(t))
	fixtures.denied_by(d)["statistics.masked_values"]
}

test_an_identity_that_sees_pii_may_read_statistics if {
	d := fixtures.decide(fixtures.pii_reader, reading("pg_catalog.pg_statistic"))
	not fixtures.denied_by(d)["statistics.masked_values"]
}

test_without_masked_columns_statistics_are_readable if {
	d := fixtures.decide(fixtures.reader, reading("pg_catalog.pg_statistic")) with data.portcullis.pii as {}
	not fixtures.denied_by(d)["statistics.masked_values"]
}
