package w

import rego.v2

p if {
	not input.denied
	not count(input.xs) > 3
	q with input as {"x": 1} with data.other.f as mock
	q
		with input.user as "bob"
	some x in input.xs with input.xs as [1]
	not { input.a; input.b }
}
q := true
