# METADATA
# title: Package doc
# description: applies to the package
package annotated

# METADATA
# entrypoint: true
# title: Allow
allow if input.ok

# A plain comment, not metadata.
deny if input.bad

# METADATA
# scope: package
# custom:
#   owner: team-a
x := 1

# METADATA
# scope: rule
# entrypoint: true
f(x) := x
