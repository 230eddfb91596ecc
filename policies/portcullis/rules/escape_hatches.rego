# Escape hatches: statements that would step outside what the gateway can see or enforce.
#  - COPY … PROGRAM runs a shell command on the database server;
#  - SET ROLE / SET SESSION AUTHORIZATION would act as another database role;
#  - dynamic SQL (DO blocks, PL/pgSQL EXECUTE, functions that run SQL) hides the statements
#    that actually run, so the policy cannot judge them.
package portcullis.rules.escape_hatches

deny contains {
	"reason": "COPY ... PROGRAM runs a command on the database server and is never allowed",
	"rule": "escape.copy_program",
} if {
	input.statement.flags.copy_program
}

deny contains {
	"reason": sprintf("%s would switch the database role and bypass the gateway's identity; it is not allowed", [input.statement.command]),
	"rule": "escape.set_role",
} if {
	switches_role
}

deny contains {
	"reason": "dynamic SQL (DO blocks, EXECUTE, SQL-running functions) cannot be checked by the policy; send the statements themselves",
	"rule": "escape.dynamic_sql",
} if {
	input.statement.flags.dynamic_sql
}

switches_role if input.statement.flags.set_role

switches_role if input.statement.flags.session_authorization

switches_role if input.statement.kind in {"set_role", "set_session_authorization"}
