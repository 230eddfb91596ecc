package coll

arr := [1, [2, 3], []]
obj := {"a": 1, 2: "two", [1]: {}, x: y}
st := {1, "two", {3}}
empty := set()
ac := [x | x := input.xs[_]; x > 1]
sc := {x | some x in input.xs}
oc := {k: v |
	some k, v in input.m
	v > 0
}
idx := [1, 2][0]
dot := {"a": 1}.a
nested := {"foo": {{1}}}
trailing := [1, 2,]
multi := [
	1,
	2
]
