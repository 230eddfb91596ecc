// COPY FROM STDIN once the statement was allowed: relay the client's CopyData/CopyDone/CopyFail
// to the upstream, reading the client no faster than the upstream takes it; anything else aborts
// the COPY and goes back to the main loop.

import { encodeFrontend } from '../../wire/index.js';
import type { Cycle } from './state.js';

/**
 * pumpCopyIn relays the client's COPY data to the upstream until CopyDone or CopyFail; Flush and
 * Sync are passed along (the server ignores them during COPY). Any other message aborts the COPY
 * with CopyFail and is kept for the main loop. Returns false when the client went away.
 */
export async function pumpCopyIn(cycle: Cycle): Promise<boolean> {
  const upstream = cycle.ctx.upstream;
  for (;;) {
    // backpressure by bytes: stop reading the client while the upstream has more than its bound to send
    if (upstream.needsDrain) await upstream.whenWritable();
    const frame = await cycle.client.next();
    if (frame === undefined) {
      cycle.ctx.upstream.write(encodeFrontend({ kind: 'copyFail', message: 'portcullis: client disconnected during COPY' }));
      return false;
    }
    if (frame.kind === 'tagged' && 'dcfHS'.includes(frame.tag)) {
      cycle.ctx.upstream.write(frame.raw);
      if (frame.tag === 'c' || frame.tag === 'f') return true;
      continue;
    }
    cycle.ctx.upstream.write(encodeFrontend({ kind: 'copyFail', message: 'portcullis: unexpected message during COPY FROM STDIN' }));
    cycle.client.pushBack(frame);
    return true;
  }
}
