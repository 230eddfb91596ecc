# entrypoints: test/p
package test

base := input.n

q := base + 1

p := [a, b] if {
	not input.off
	a := q
	b := q with data.test.base as 41
	every v in [1, 2] { v > 0 }
}
