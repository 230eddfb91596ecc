// Generated Rego for the benchmark: realistic modules (comparisons, refs into input, some/in
// iteration, partial sets, functions, builtins) of a requested size, plus the small allow policy
// and its hand-written JavaScript twin used as the throughput baseline.

/** GeneratedPolicy is a set of modules and the entrypoints that cover them. */
export type GeneratedPolicy = {
  readonly files: Array<{ name: string; text: string }>;
  readonly entrypoints: string[];
  readonly lines: number;
};

/** unit renders one package of about 30 lines. */
function unit(i: number): string {
  return `package gen.u${i}

roles := {"admin", "ops_${i}", "dev"}

limits := {"small": ${i + 10}, "large": ${i * 10 + 100}}

is_member(user) if user.groups[_] == "team_${i}"

allow if {
  input.user.role in roles
  input.request.size < limits.large
}

allow if {
  some g in input.user.groups
  startswith(g, "grp_${i}")
  is_member(input.user)
}

denied contains msg if {
  input.request.method == "DELETE"
  not input.user.role == "admin"
  msg := sprintf("delete denied in unit %d", [${i}])
}

denied contains "too large" if input.request.size > limits.large

score := count(input.user.groups) * ${i} + 1
`;
}

/** generatePolicy builds modules totalling at least `lines` lines. */
export function generatePolicy(lines: number): GeneratedPolicy {
  const files: Array<{ name: string; text: string }> = [];
  const entrypoints: string[] = [];
  let total = 0;
  for (let i = 0; total < lines; i++) {
    const text = unit(i);
    files.push({ name: `gen/u${i}.rego`, text });
    entrypoints.push(`gen/u${i}/allow`, `gen/u${i}/denied`);
    total += text.split('\n').length;
  }
  return { files, entrypoints, lines: total };
}

/** SMALL_POLICY is the throughput benchmark's policy: admins, or an allowed action. */
export const SMALL_POLICY = `package bench

default allow := false

allow if input.user.role == "admin"

allow if input.action in {"read", "list"}
`;

/** SMALL_ENTRYPOINT is the entrypoint of SMALL_POLICY. */
export const SMALL_ENTRYPOINT = 'bench/allow';

const allowedActions = new Set(['read', 'list']);

type BenchInput = { user?: { role?: unknown }; action?: unknown };

/** allowJs is SMALL_POLICY written by hand in JavaScript (the baseline). */
export function allowJs(input: BenchInput): boolean {
  return input.user?.role === 'admin' || (typeof input.action === 'string' && allowedActions.has(input.action));
}

/** BENCH_INPUTS cycle through allow-by-role, allow-by-action and deny. */
export const BENCH_INPUTS: readonly BenchInput[] = [
  { user: { role: 'admin' }, action: 'delete' },
  { user: { role: 'dev' }, action: 'read' },
  { user: { role: 'dev' }, action: 'drop' },
];
