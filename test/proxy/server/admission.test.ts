// proxy/server/admission.ts: the two pools (logging in, authenticated), the per-address cap and
// who is crowded out to make room. Pure: connections are names, closing one records its name.

import { describe, expect, it } from 'vitest';
import { createAdmission } from '../../../proxy/server/admission.js';
import type { AdmissionLimits, AdmissionTicket } from '../../../proxy/server/admission.js';

/** Step is one connection arriving (`name@address`), presenting its password, authenticating, or closing. */
type Step = `+${string}@${string}` | `presented ${string}` | `authenticate ${string}` | `close ${string}`;

/** run plays the steps and returns what happened: closed (crowded out) and refused names, authentication results, the counts. */
function run(limits: AdmissionLimits, steps: readonly Step[]) {
  const admission = createAdmission(limits);
  const tickets = new Map<string, AdmissionTicket>();
  const crowdedOut: string[] = [];
  const refused: string[] = [];
  const authenticated: Record<string, boolean> = {};
  for (const step of steps) {
    if (step.startsWith('+')) {
      const [name, address] = step.slice(1).split('@') as [string, string];
      const ticket = admission.admit(address, () => crowdedOut.push(name));
      if (ticket === undefined) refused.push(name);
      else tickets.set(name, ticket);
      continue;
    }
    const [verb, name] = step.split(' ') as [string, string];
    const ticket = tickets.get(name);
    if (ticket === undefined) throw new Error(`no ticket ${name}`);
    if (verb === 'presented') ticket.presented();
    else if (verb === 'authenticate') authenticated[name] = ticket.authenticate();
    else ticket.release();
  }
  return { crowdedOut, refused, authenticated, unauthenticated: admission.unauthenticated, authenticatedCount: admission.authenticated };
}

const LIMITS: AdmissionLimits = { maxConnections: 2, maxUnauthenticated: 4, maxUnauthenticatedPerAddress: 2 };

describe('createAdmission', () => {
  it.each([
    {
      note: 'below every limit: all admitted',
      steps: ['+a@x', '+b@y', '+c@z'] as Step[],
      want: { crowdedOut: [], refused: [], unauthenticated: 3 },
    },
    {
      note: 'an address at its cap crowds out its own oldest',
      steps: ['+a@x', '+b@x', '+c@x'] as Step[],
      want: { crowdedOut: ['a'], refused: [], unauthenticated: 2 },
    },
    {
      note: 'a full pool crowds out the oldest of the busiest address, not the newcomer’s',
      steps: ['+a@x', '+b@y', '+c@y', '+d@z', '+e@w'] as Step[],
      want: { crowdedOut: ['b'], refused: [], unauthenticated: 4 },
    },
    {
      note: 'a connection whose client sent its password is not crowded out: the next waiting one is',
      steps: ['+a@x', 'presented a', '+b@x', '+c@x'] as Step[],
      want: { crowdedOut: ['b'], refused: [], unauthenticated: 2 },
    },
    {
      note: 'when every connection of the address is being verified, the newcomer is refused',
      steps: ['+a@x', '+b@x', 'presented a', 'presented b', '+c@x'] as Step[],
      want: { crowdedOut: [], refused: ['c'], unauthenticated: 2 },
    },
    {
      note: 'a full pool of connections being verified refuses the newcomer',
      steps: ['+a@x', '+b@y', '+c@z', '+d@w', 'presented a', 'presented b', 'presented c', 'presented d', '+e@v'] as Step[],
      want: { crowdedOut: [], refused: ['e'], unauthenticated: 4 },
    },
    {
      note: 'closing frees the place',
      steps: ['+a@x', '+b@x', 'close a', 'close a', '+c@x'] as Step[],
      want: { crowdedOut: [], refused: [], unauthenticated: 2 },
    },
  ])('$note', ({ steps, want }) => {
    expect(run(LIMITS, steps)).toMatchObject(want);
  });

  it('moves authenticated connections out of the pool of those logging in, up to maxConnections', () => {
    const got = run(LIMITS, ['+a@x', '+b@x', '+c@y', 'authenticate a', 'authenticate b', 'authenticate c', '+d@x', '+e@x']);
    expect(got).toMatchObject({
      authenticated: { a: true, b: true, c: false },
      authenticatedCount: 2,
      // c left both pools; d and e fill x's two places again without crowding anyone out
      unauthenticated: 2,
      crowdedOut: [],
      refused: [],
    });
  });

  it('frees an authenticated place when its connection closes, once', () => {
    const got = run(LIMITS, ['+a@x', 'authenticate a', 'close a', 'close a', '+b@x', 'authenticate b', '+c@x', 'authenticate c']);
    expect(got).toMatchObject({ authenticated: { a: true, b: true, c: true }, authenticatedCount: 2, unauthenticated: 0 });
  });

  it('keeps a flood from one address to that address: 1,000 arrivals leave the others in place', () => {
    const steps: Step[] = ['+agent@a'];
    for (let i = 0; i < 1_000; i++) steps.push(`+s${i}@flood`);
    const got = run({ maxConnections: 100, maxUnauthenticated: 64, maxUnauthenticatedPerAddress: 16 }, steps);
    expect(got.crowdedOut).not.toContain('agent');
    expect(got.crowdedOut).toHaveLength(1_000 - 16);
    expect(got.unauthenticated).toBe(17);
  });
});
