# entrypoints: test/r
package test

f(x) := "big" if x > 10
else := "small"

r := [f(1), f(11)]
