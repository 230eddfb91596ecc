// WriteCoalescer: the writes of one tick reach the socket as one write, in order, with adjacent
// frames of one received chunk sent as a single view of it (no copy); nothing is held past the
// tick; flush() sends at once and discard() drops what is queued.

import { describe, expect, it } from 'vitest';
import { WriteCoalescer } from '../../../proxy/net/write-coalescer.js';

type Call = { readonly op: 'write'; readonly bytes: Uint8Array } | { readonly op: 'cork' | 'uncork' };

function recorder(): { coalescer: WriteCoalescer; calls: Call[]; text: () => string } {
  const calls: Call[] = [];
  const coalescer = new WriteCoalescer({
    write: (bytes) => calls.push({ op: 'write', bytes }),
    cork: () => calls.push({ op: 'cork' }),
    uncork: () => calls.push({ op: 'uncork' }),
  });
  const text = (): string =>
    calls
      .filter((c): c is Extract<Call, { op: 'write' }> => c.op === 'write')
      .map((c) => Buffer.from(c.bytes).toString())
      .join('|');
  return { coalescer, calls, text };
}

const tick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describe('WriteCoalescer', () => {
  it('sends the writes of one tick as one write, in order, at the end of the tick', async () => {
    const { coalescer, calls, text } = recorder();
    coalescer.write(Buffer.from('a'));
    coalescer.write(Buffer.from('bc'));
    await Promise.resolve(); // microtasks of the same tick: still queued
    coalescer.write(Buffer.from('d'));
    expect(calls).toEqual([]);
    expect(coalescer.pendingBytes).toBe(4);
    await tick();
    expect(text()).toBe('abcd');
    expect(calls).toHaveLength(1);
    coalescer.write(Buffer.from('e'));
    await tick();
    expect(text()).toBe('abcd|e');
  });

  it('widens a view for adjacent frames of one chunk instead of copying', async () => {
    const { coalescer, calls } = recorder();
    const chunk = Buffer.from('TTTTDDDDCCCCZZZZ');
    coalescer.write(chunk.subarray(0, 4));
    coalescer.write(chunk.subarray(4, 8));
    coalescer.write(chunk.subarray(8, 16));
    await tick();
    expect(calls).toHaveLength(1);
    const sent = (calls[0] as Extract<Call, { op: 'write' }>).bytes;
    expect(sent.buffer).toBe(chunk.buffer);
    expect(sent.byteOffset).toBe(chunk.byteOffset);
    expect(Buffer.from(sent).toString()).toBe('TTTTDDDDCCCCZZZZ');
  });

  it('does not join views that are not adjacent', async () => {
    const { coalescer, text } = recorder();
    const chunk = Buffer.from('0123456789');
    coalescer.write(chunk.subarray(0, 2));
    coalescer.write(chunk.subarray(3, 5)); // skips '2'
    coalescer.write(chunk.subarray(2, 3)); // before, not after
    await tick();
    expect(text()).toBe('01342');
  });

  it('corks the socket for one writev above the copy limit', async () => {
    const { coalescer, calls } = recorder();
    const big = Buffer.alloc(48 * 1024, 1);
    coalescer.write(big);
    coalescer.write(Buffer.alloc(48 * 1024, 2));
    await tick();
    expect(calls.map((c) => c.op)).toEqual(['cork', 'write', 'write', 'uncork']);
    expect((calls[1] as Extract<Call, { op: 'write' }>).bytes).toBe(big);
  });

  it('flush() sends at once; discard() drops; empty writes are ignored', async () => {
    const { coalescer, text } = recorder();
    coalescer.write(Buffer.from('x'));
    coalescer.flush();
    expect(text()).toBe('x');
    coalescer.write(Buffer.from('lost'));
    coalescer.discard();
    coalescer.write(Buffer.alloc(0));
    await tick();
    expect(text()).toBe('x');
    expect(coalescer.pendingBytes).toBe(0);
  });
});
