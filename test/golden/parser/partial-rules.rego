package partial

p contains x if {
	some x in input.xs
}
p contains "literal"
obj[k] := v if {
	some k, v in input.m
}
a.b.c := 5
p.q[r] := 1 if r := "k"
a.b[c].d contains x if {
	c := "c"
	x := 1
}
flags[name] if name := input.names[_]
