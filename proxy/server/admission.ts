// The gateway's connection limits, as two pools: connections still logging in (accept → token
// verified and the login policy's answer), at most `maxUnauthenticated` in all and
// `maxUnauthenticatedPerAddress` per client address, and authenticated connections, at most
// `maxConnections`. A client that never logs in holds a place among the first only, so idle or
// dribbling sockets cannot take an agent's place among the second.
//
// Fairness: a new connection is always let in while a place can be made for it. An address at
// its own cap makes room by crowding out its own oldest connection that is still waiting for the
// client; a full pool crowds out the oldest such connection of the address holding the most. A
// connection whose client has sent its password (being verified) is never crowded out; when none
// can be, the newcomer is refused. So one address flooding the gateway closes mostly its own
// sockets, and an agent's connection, the newest, is the last to go.

import type { Admission } from '../session/index.js';

/** AdmissionLimits are the counts limits.* configures. */
export type AdmissionLimits = {
  readonly maxConnections: number;
  readonly maxUnauthenticated: number;
  readonly maxUnauthenticatedPerAddress: number;
};

/** AdmissionTicket is an admitted connection's place; release() frees it when the socket closes (idempotent). */
export type AdmissionTicket = Admission & { release(): void };

/** ConnectionAdmission keeps the two pools of one gateway. */
export type ConnectionAdmission = {
  /**
   * admit places a new connection from `address`, crowding out another when that is the way to
   * make room (its onCrowdedOut is called, default `close`); undefined when no place can be made.
   */
  admit(address: string, close: () => void): AdmissionTicket | undefined;
  /** unauthenticated is the number of connections logging in. */
  readonly unauthenticated: number;
  /** authenticated is the number of connections past authentication. */
  readonly authenticated: number;
};

type Entry = {
  readonly address: string;
  state: 'unauthenticated' | 'authenticated' | 'released';
  presented: boolean;
  close: () => void;
};

/** createAdmission returns empty pools with the given limits. */
export function createAdmission(limits: AdmissionLimits): ConnectionAdmission {
  // per address, its connections logging in, oldest first
  const byAddress = new Map<string, Entry[]>();
  let unauthenticated = 0;
  let authenticated = 0;

  const leaveUnauthenticated = (entry: Entry): void => {
    const list = byAddress.get(entry.address);
    if (list === undefined) return;
    const i = list.indexOf(entry);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) byAddress.delete(entry.address);
    unauthenticated -= 1;
  };

  const oldestWaiting = (list: readonly Entry[] | undefined): Entry | undefined => list?.find((e) => !e.presented);

  /** victimFor picks the connection to crowd out for a newcomer from `address`; undefined: none needed; null: none possible. */
  const victimFor = (address: string): Entry | undefined | null => {
    const own = byAddress.get(address);
    if ((own?.length ?? 0) >= limits.maxUnauthenticatedPerAddress) return oldestWaiting(own) ?? null;
    if (unauthenticated < limits.maxUnauthenticated) return undefined;
    let victim: Entry | null = null;
    let most = 0;
    for (const list of byAddress.values()) {
      if (list.length <= most) continue;
      const candidate = oldestWaiting(list);
      if (candidate === undefined) continue;
      victim = candidate;
      most = list.length;
    }
    return victim;
  };

  return {
    admit(address, close) {
      const victim = victimFor(address);
      if (victim === null) return undefined;
      if (victim !== undefined) {
        leaveUnauthenticated(victim);
        victim.state = 'released';
        victim.close();
      }
      const entry: Entry = { address, state: 'unauthenticated', presented: false, close };
      const list = byAddress.get(address);
      if (list === undefined) byAddress.set(address, [entry]);
      else list.push(entry);
      unauthenticated += 1;
      return {
        onCrowdedOut(fn) {
          entry.close = fn;
        },
        presented() {
          entry.presented = true;
        },
        authenticate() {
          if (entry.state !== 'unauthenticated') return entry.state === 'authenticated';
          leaveUnauthenticated(entry);
          if (authenticated >= limits.maxConnections) {
            entry.state = 'released';
            return false;
          }
          entry.state = 'authenticated';
          authenticated += 1;
          return true;
        },
        release() {
          if (entry.state === 'unauthenticated') leaveUnauthenticated(entry);
          else if (entry.state === 'authenticated') authenticated -= 1;
          entry.state = 'released';
        },
      };
    },
    get unauthenticated() {
      return unauthenticated;
    },
    get authenticated() {
      return authenticated;
    },
  };
}
