// Live token re-checks: with token introspection configured, a logged-in session's token is
// asked about again every interval, and a token the issuer now reports inactive (the service
// account was revoked) ends its session with FATAL 28000. An issuer that does not answer keeps
// the session (its token is still valid) and is asked again at the next interval.

import { TokenInactive } from '../../auth/index.js';
import type { Principal, TokenVerifier } from '../../auth/index.js';

/** watchToken re-checks the principal's token every verifier.recheckIntervalMs; returns a stop function. */
export function watchToken(verifier: TokenVerifier, principal: Principal, end: (error: TokenInactive) => void): () => void {
  const interval = verifier.recheckIntervalMs;
  if (interval === undefined) return () => undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    timer = setTimeout(() => {
      void verifier.recheck(principal).then((activity) => {
        if (stopped) return;
        if (activity === 'inactive') {
          end(
            new TokenInactive("the issuer reports this session's token inactive (revoked, or its account disabled); the session is closed"),
          );
          return;
        }
        arm();
      });
    }, interval);
    timer.unref();
  };
  arm();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
