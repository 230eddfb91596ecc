package terms

scalars := [null, true, false, 0, -2.5, 1e400, 12345678901234567890, 1.5E-3]
strings := ["plain", "esc \" \\ \/ \b \f \n \r \t", "\u00e9 \ud83d\ude00", `raw \n`]
multiline := `line one
line two`
vars := [input, data, x, _, _]
refs := [a.b, a[b], a[b].c, a["b"][0], input.in.if, data.x.y.z]
calls := [f(x), a.b.c(x), data.p.f(1), f(x).y, count([1])]
