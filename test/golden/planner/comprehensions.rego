# entrypoints: test
package test

xs := [1, 2, 3]

doubled := [(x * 2) | some x in xs]

byKey := {k: v | some k, v in {"a": 1}}

pairs := {[a, b] | [a, b] = [[1, 2], [3, 4]][_]}
