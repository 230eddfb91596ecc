# The entrypoint of the example library: `data.portcullis.decision`, the object Portcullis
# evaluates for every SQL statement (see docs/policy.md for input and decision).
#
# Each rule family lives in its own package under portcullis.rules and contributes to the
# partial sets `deny`, `approval` and `mask`; this file only gathers them. To add a family,
# write portcullis/rules/<name>.rego and add its sets below.
package portcullis

import data.portcullis.rules.access
import data.portcullis.rules.destructive_ddl
import data.portcullis.rules.escape_hatches
import data.portcullis.rules.functions
import data.portcullis.rules.pii
import data.portcullis.rules.production
import data.portcullis.rules.read_only
import data.portcullis.rules.statistics
import data.portcullis.rules.where_clause

# METADATA
# title: decision
# description: The decision for one statement; Portcullis denies when any deny entry exists,
#   holds for approval when any approval entry exists, and otherwise runs the statement only
#   when allow is true, masking the listed columns.
# entrypoint: true
decision := {
	"allow": access.allow,
	"deny": deny,
	"approval": approval_entries,
	"mask": pii.mask,
}

# deny gathers every family's deny entries ({"reason": …, "rule": …}). The access family only
# explains why nothing allowed the statement, so its entries are kept for when no specific rule
# denied it: the agent then reads "DROP TABLE is destructive DDL", not "drop is not granted".
deny := specific_deny if count(specific_deny) > 0

else := access.deny

specific_deny := ((((((read_only.deny | destructive_ddl.deny) | where_clause.deny) | escape_hatches.deny) | functions.deny) | statistics.deny) | pii.deny)

# approval_entries gathers every family's approval entries. Named so as to clash with neither the
# package portcullis.approval (the approval entrypoint) nor data.portcullis.approvals (where the
# approver roles are configured: a rule there would shadow that data, and the setting would be
# ignored; test/policies/data-shadowing.test.ts).
approval_entries := production.approval
