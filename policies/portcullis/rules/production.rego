# Approval for production writes: a write to a table listed in data.portcullis.production_tables
# is held until a human approves it (until approvals exist, Portcullis denies it with this reason).
package portcullis.rules.production

approval contains {
	"reason": sprintf("%s writes production table %s; a human must approve it", [input.statement.command, table]),
	"rule": "production.write",
} if {
	some table in input.statement.tables.written
	table in data.portcullis.production_tables
}
