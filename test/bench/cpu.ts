// CPU time of the processes a bench run involves, from /proc: a process by pid (pgbouncer), a
// process and all its children (PostgreSQL's postmaster and backends), and this process (the
// in-process proxies: the Node pass-through, Portcullis). Sampled before and after a run; the
// difference divided by the run's transactions is each one's CPU per transaction. Linux only:
// elsewhere the samples are undefined and the report says n/a.

import { readFileSync, readdirSync } from 'node:fs';

/** BACKENDS_SETTLE_MS is how long a run's PostgreSQL backends are given to end (and be reaped) before PostgreSQL's CPU is sampled. */
export const BACKENDS_SETTLE_MS = 300;

/** TICKS_PER_SECOND is USER_HZ (100 on Linux builds that matter here). */
const TICKS_PER_SECOND = 100;

/** procCpuUs is a process's user+system CPU time in µs, or undefined when it cannot be read. */
export function procCpuUs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command (which may hold spaces): state is field 3, utime 14, stime 15
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** reapedCpuUs is the CPU time in µs of a process's children that exited and were reaped (cutime + cstime). */
function reapedCpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[13]) + Number(rest[14]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_SECOND : 0;
  } catch {
    return 0;
  }
}

/**
 * treeCpuUs is the CPU time in µs of `root`, of its live children and of the children it has
 * reaped (PostgreSQL's postmaster reaps every backend that ends, so a run's backends count whether
 * they are still alive when it is sampled or not).
 */
export function treeCpuUs(root: number): number | undefined {
  const own = procCpuUs(root);
  if (own === undefined) return undefined;
  let total = own + reapedCpuUs(root);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === root) total += procCpuUs(Number(name)) ?? 0;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** selfCpuUs is this process's user+system CPU time in µs. */
export function selfCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** mainThreadCpuUs is the CPU time in µs of this process's main thread alone (the event loop: without the thread pool and V8's helper threads), or undefined off Linux. */
export function mainThreadCpuUs(): number | undefined {
  return procCpuUs(process.pid) === undefined ? undefined : taskCpuUs(process.pid, process.pid);
}

function taskCpuUs(pid: number, tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
