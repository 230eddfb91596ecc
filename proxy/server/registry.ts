// The gateway's registry of logged-in sessions, keyed by the BackendKeyData we gave each client:
// a CancelRequest (which arrives on a new connection) finds its session here, and shutdown
// terminates them all. Keys are random; a lookup compares the secret in constant time.

import { randomInt, timingSafeEqual } from 'node:crypto';
import type { SessionHandle, SessionRegistry } from '../session/index.js';

/** createSessionRegistry returns an empty registry; keys are random and unique among live sessions. */
export function createSessionRegistry(): SessionRegistry {
  const byPid = new Map<number, { secret: number; handle: SessionHandle }>();
  return {
    register(handle) {
      let processId: number;
      do processId = randomInt(1, 0x7fffffff);
      while (byPid.has(processId));
      const secretKey = randomInt(0, 0x7fffffff) * (randomInt(0, 2) === 0 ? 1 : -1);
      byPid.set(processId, { secret: secretKey, handle });
      return { processId, secretKey };
    },
    unregister(key) {
      const entry = byPid.get(key.processId);
      if (entry !== undefined && entry.secret === key.secretKey) byPid.delete(key.processId);
    },
    lookup(key) {
      const entry = byPid.get(key.processId);
      if (entry === undefined) return undefined;
      const a = Buffer.alloc(4);
      const b = Buffer.alloc(4);
      a.writeInt32BE(entry.secret);
      b.writeInt32BE(key.secretKey | 0);
      return timingSafeEqual(a, b) ? entry.handle : undefined;
    },
    get size() {
      return byPid.size;
    },
    sessions() {
      return [...byPid.values()].map((e) => e.handle);
    },
    terminateAll(error) {
      for (const { handle } of [...byPid.values()]) handle.terminate(error, 'shutdown');
    },
    drainAll(error) {
      for (const { handle } of [...byPid.values()]) handle.drain(error);
    },
  };
}
