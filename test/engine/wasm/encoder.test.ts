// LEB128 writers/readers and section framing.

import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, section } from '../../../engine/wasm/encoder.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('LEB128', () => {
  it.each([
    { note: 'u32 0', value: 0, bytes: '00' },
    { note: 'u32 127', value: 127, bytes: '7f' },
    { note: 'u32 128', value: 128, bytes: '8001' },
    { note: 'u32 624485', value: 624485, bytes: 'e58e26' },
    { note: 'u32 max', value: 0xffffffff, bytes: 'ffffffff0f' },
  ])('$note', ({ value, bytes }) => {
    const out = new ByteWriter(1).u32(value).toBytes();
    expect(hex(out)).toBe(bytes);
    expect(new ByteReader(out).u32()).toBe(value);
  });

  it.each([
    { note: 'i32 0', value: 0, bytes: '00' },
    { note: 'i32 63', value: 63, bytes: '3f' },
    { note: 'i32 64', value: 64, bytes: 'c000' },
    { note: 'i32 -1', value: -1, bytes: '7f' },
    { note: 'i32 -64', value: -64, bytes: '40' },
    { note: 'i32 -65', value: -65, bytes: 'bf7f' },
    { note: 'i32 max', value: 2147483647, bytes: 'ffffffff07' },
    { note: 'i32 min', value: -2147483648, bytes: '8080808078' },
  ])('$note', ({ value, bytes }) => {
    const out = new ByteWriter(1).i32(value).toBytes();
    expect(hex(out)).toBe(bytes);
    expect(new ByteReader(out).i32()).toBe(value);
  });
});

describe('ByteWriter', () => {
  it('grows past its initial capacity and keeps every byte', () => {
    const w = new ByteWriter(2);
    for (let i = 0; i < 10_000; i++) w.u8(i);
    const b = w.toBytes();
    expect(b.length).toBe(10_000);
    expect(b[9_999]).toBe(9_999 & 0xff);
  });

  it('writes names, little-endian words and zeros', () => {
    const b = new ByteWriter().name('hé').u32le(0x01020304).zeros(2).toBytes();
    expect(hex(b)).toBe('0368c3a9' + '04030201' + '0000');
    const r = new ByteReader(b);
    expect(r.name()).toBe('hé');
  });

  it('frames a section with its id and size', () => {
    expect(hex(section(7, new Uint8Array(130)))).toBe(`078201${'00'.repeat(130)}`);
  });

  it('reports truncated input', () => {
    expect(() => new ByteReader(new Uint8Array([0x80])).u32()).toThrow(RangeError);
  });
});
