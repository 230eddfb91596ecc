package v0.keywords

import future.keywords.in
import future.keywords.every

all_small { every x in input.xs { x < 10 } }

member { "a" in input.tags }

contains_b { contains(input.s, "b") }

if = 1
