# No destructive DDL: DROP and TRUNCATE are never run through the gateway, whatever the
# identity's roles. Schema owners run them directly, outside the agents' path.
package portcullis.rules.destructive_ddl

deny contains {
	"reason": sprintf("%s is destructive DDL and is never allowed through Portcullis; ask a database owner", [input.statement.command]),
	"rule": "ddl.destructive",
} if {
	destructive
}

destructive if input.statement.flags.destructive

destructive if input.statement.kind in {"drop", "truncate"}
