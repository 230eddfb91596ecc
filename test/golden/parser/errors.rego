package errs

ok := 1
bad := }
also_ok := 2
nobody {
	true
}
set[x] {
	x := 1
}
if := 3
f(x) := x +
last := 1
