// Test helper: an in-memory FrameChannel for the units that talk to a channel (the query cycle,
// internal upstream commands): frames fed by the test, writes recorded (and optionally answered).

import type { FrameChannel } from '../../proxy/net/index.js';
import { FrameReader } from '../../proxy/wire/index.js';
import type { Frame } from '../../proxy/wire/index.js';

/** FakeChannel is an in-memory FrameChannel: frames fed by the test, writes recorded (and optionally answered). */
export class FakeChannel implements FrameChannel {
  readonly written: Buffer[] = [];
  closed = false;
  onWrite: ((bytes: Buffer) => void) | undefined;
  readonly #frames: (Frame | undefined)[] = [];
  readonly #reader = new FrameReader({ maxFrameBytes: 1 << 20, startup: false });
  #wake: (() => void) | undefined;

  feed(bytes: Buffer): void {
    this.#frames.push(...this.#reader.push(Buffer.from(bytes)));
    this.#wake?.();
  }
  finish(): void {
    this.#frames.push(undefined);
    this.#wake?.();
  }
  async next(): Promise<Frame | undefined> {
    while (this.#frames.length === 0) await new Promise<void>((r) => (this.#wake = r));
    return this.#frames.shift();
  }
  write(bytes: Uint8Array): void {
    const b = Buffer.from(bytes);
    this.written.push(b);
    this.onWrite?.(b);
  }
  end(): void {
    this.closed = true;
  }
  readonly needsDrain = false;
  whenWritable(): Promise<void> {
    return Promise.resolve();
  }
  get bytes() {
    return { unread: 0, unsent: 0, peakUnread: 0, peakUnsent: 0 };
  }
}
