package q

p if {
	some x, y
	some v in input.xs
	some k, v2 in input.m
	some [a, b] in [[1, 2]]
	some _, {"n": n} in input.objs
	every z in [1, 2] { z > 0 }
	every i, w in input.ws {
		w != i
	}
}
