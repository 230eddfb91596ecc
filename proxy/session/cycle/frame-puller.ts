// Pulling frames from a FrameChannel with one frame of look-ahead, so the idle loop can wait on
// both sides of a session at once without losing the frame of the side that did not win the race.

import type { Frame } from '../../wire/index.js';
import type { FrameChannel } from '../../net/index.js';

/**
 * FramePuller reads a FrameChannel with one frame of look-ahead, so the idle loop can wait on
 * both sides at once without losing the frame of the side that did not win the race.
 */
export class FramePuller {
  readonly #channel: FrameChannel;
  #pending: Promise<Frame | undefined> | undefined;
  #pushedBack: Frame[] = [];

  /** constructor wraps a channel. */
  constructor(channel: FrameChannel) {
    this.#channel = channel;
  }

  /** ready resolves once a frame (or the end) is available; it never rejects (next() reports the error). */
  ready(): Promise<void> {
    if (this.#pushedBack.length > 0) return Promise.resolve();
    this.#pending ??= this.#channel.next();
    return this.#pending.then(
      () => undefined,
      () => undefined,
    );
  }

  /** next returns the next frame (undefined once the peer closed); rejects with the channel's error. */
  next(): Promise<Frame | undefined> {
    const back = this.#pushedBack.shift();
    if (back !== undefined) return Promise.resolve(back);
    const p = this.#pending ?? this.#channel.next();
    this.#pending = undefined;
    return p;
  }

  /**
   * handOff gives up the channel between requests: the read begun by ready() and never consumed
   * (its frame is the next one the channel yields), or undefined when none was begun; 'pushed-back'
   * when frames were pushed back (then the channel's next frames are not whole).
   */
  handOff(): Promise<Frame | undefined> | undefined | 'pushed-back' {
    if (this.#pushedBack.length > 0) return 'pushed-back';
    const p = this.#pending;
    this.#pending = undefined;
    return p;
  }

  /** pushBack returns a frame so the next call to next() yields it again. */
  pushBack(frame: Frame): void {
    this.#pushedBack.unshift(frame);
  }
}
