package ops

a := 1 + 2 * 3 - 4 / 2 % 3
b := (1 + 2) * 3
c := x == y
d if 1 < 2
e := -1
f := 0 - x
g := x - -1.5e3
h := {1, 2} | {3} & {2}
i if 1 in [1, 2]
j if "k", 1 in {"k": 1}
k := x != y
l if x <= y
m if x >= y
n if x > y
