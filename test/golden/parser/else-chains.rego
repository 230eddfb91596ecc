package elses

grade := "A" if {
	input.score >= 90
} else := "B" if {
	input.score >= 80
} else = "C" {
	input.score >= 70
} else := "F"

f(x) := "big" if x > 100
else := "small" if x < 10
else := "medium"

p if {
	false
} else {
	true
}
