# Statistics: PostgreSQL keeps samples of column values (most common values, histogram bounds)
# in pg_statistic and pg_statistic_ext_data, which pg_stats and pg_stats_ext show. Reading them
# would show masked columns' values, so while any column is masked for the identity, statements
# that read them (directly or through those views: the gateway follows views) are denied.
package portcullis.rules.statistics

import data.portcullis.lib.identity

deny contains {
	"reason": sprintf("%s reads column statistics (%s), which hold samples of masked columns' values; it is not allowed while columns are masked for you", [input.statement.command, t]),
	"rule": "statistics.masked_values",
} if {
	not identity.roles["pii:read"]
	count(data.portcullis.pii) > 0
	some t in input.statement.tables.read
	t in statistics_tables
}

statistics_tables := {"pg_catalog.pg_statistic", "pg_catalog.pg_statistic_ext_data"}
