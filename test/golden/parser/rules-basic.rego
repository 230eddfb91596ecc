package rules

p := 1
q = "x"
default allow := false
default deny = true
allow if {
	input.user == "admin"
}
r if input.x
s := y if y := input.all[input.level - 1][_]
t := 1; u := 2
