// Test helper: wait (polling every few milliseconds) until a condition holds, failing the test
// with `what` when it does not within the time given.

import { expect } from 'vitest';

/** until polls `check` every 2 ms until it holds; after `timeoutMs` (default 10 s) the test fails. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) expect.fail(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
