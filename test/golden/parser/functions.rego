package funcs

f(x) := y if {
	y := x * 2
}
g(x) if x > 0
h([a, b], {"k": v}) := a + b + v
default f(_) := 1
a.b.f(x) := x
foo["bar"](x) := x + 1
zero() := 0
eq(x, y) = true if x == y
uses := f(1) + data.funcs.g(2) + a.b.f(3)
