// The bench's CPU sampling (test/bench/cpu.ts) against real processes: this one, a child that
// burns CPU and exits (counted once reaped), and a pid that does not exist.

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { procCpuUs, selfCpuUs, treeCpuUs } from './cpu.js';

const linux = process.platform === 'linux';

/** burn keeps this thread busy for ms milliseconds. */
function burn(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  if (x < 0) throw new Error('unreachable');
}

describe.skipIf(!linux)('CPU sampling from /proc', () => {
  it('counts this process’s CPU as /proc and process.cpuUsage do', () => {
    const [p0, s0] = [procCpuUs(process.pid) as number, selfCpuUs()];
    burn(300);
    const [p1, s1] = [procCpuUs(process.pid) as number, selfCpuUs()];
    expect(p1 - p0).toBeGreaterThanOrEqual(200_000);
    expect(s1 - s0).toBeGreaterThanOrEqual(250_000);
  });

  it('counts a child that burned CPU and exited, once reaped, in its parent’s tree', async () => {
    const before = treeCpuUs(process.pid) as number;
    const child = spawn(process.execPath, ['-e', 'const e = Date.now() + 400; let x = 0; while (Date.now() < e) x += Math.sqrt(x + 1);']);
    await new Promise((r) => child.once('exit', r));
    const after = treeCpuUs(process.pid) as number;
    expect(after - before).toBeGreaterThanOrEqual(300_000);
  });

  it('answers undefined for a process that does not exist', () => {
    expect(procCpuUs(2 ** 22 + 12345)).toBeUndefined();
    expect(treeCpuUs(2 ** 22 + 12345)).toBeUndefined();
  });
});
