# entrypoints: test/p test/s test/obj
package test

default p := false

p := x if {
	some x in input.xs
	x > 1
}

s contains y if {
	y := input.ys[_]
}

obj[k] := v if {
	some k, v in {"a": 1}
}
