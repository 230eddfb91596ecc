# Escape hatches: statements that would step outside what the gateway can see or enforce.
#  - COPY … PROGRAM runs a shell command on the database server, and COPY to or from a file
#    reads or writes the server's file system (never the agent's data: that is STDIN/STDOUT);
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
	"reason": "COPY to or from a file on the database server reaches the server's file system and is never allowed; use COPY ... TO STDOUT / FROM STDIN",
	"rule": "escape.copy_server_file",
} if {
	input.statement.flags.copy_server_file
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
