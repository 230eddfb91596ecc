# No DELETE or UPDATE without WHERE: a statement that would touch every row of a table is
# almost always a mistake by an agent. Add a WHERE clause (`WHERE true` states the intent).
package portcullis.rules.where_clause

deny contains {
	"reason": sprintf("DELETE without WHERE would delete every row of %s; add a WHERE clause", [tables]),
	"rule": "dml.delete_without_where",
} if {
	input.statement.flags.delete_without_where
}

deny contains {
	"reason": sprintf("UPDATE without WHERE would change every row of %s; add a WHERE clause", [tables]),
	"rule": "dml.update_without_where",
} if {
	input.statement.flags.update_without_where
}

tables := concat(", ", input.statement.tables.written) if count(input.statement.tables.written) > 0

else := "the table"
