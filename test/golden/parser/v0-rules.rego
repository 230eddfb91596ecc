package v0.rules

default allow = false

allow { input.user == "admin" }

allow = true { input.method == "GET"; input.path[0] == "public" }

deny[msg] {
	not allow
	msg := sprintf("denied: %v", [input.user])
}

roles[name] = perms { some name; perms := data.roles[name] }

f(x) = y { y := x * 2 }

g(x) { x > 0 }

level = "high" { input.score > 90 } else = "mid" { input.score > 50 } else = "low"
