package nl

p if {
	x := 1 +
		2
	y := [
		1, 2,
		3]
	z := (x
		* 2)
	count(y) == 3; x > 0
	w := {
		"a": 1,
		"b": [x |
			x := 1
		],
	}
}

q := 1 if { true } ; r := 2
