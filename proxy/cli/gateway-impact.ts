// The reload impact of a gateway that ships its recording to a state store: after every
// activation the newest recorded statements are re-decided with the new policy (proxy/impact),
// and GET /v1/policy (and the console's policy page) shows which decisions the reload changed.

import type { GatewayConfig } from '../config/index.js';
import { createDecider } from '../decision/index.js';
import type { EventBus } from '../events.js';
import { createReloadImpact } from '../impact/index.js';
import type { ReloadImpactWatch } from '../impact/index.js';
import type { ActivePolicy } from '../policy/index.js';
import type { StateStore } from '../state/index.js';

/** watchReloadImpact starts comparing after each activation; undefined when nothing recorded can be read (no recording or no state store). */
export function watchReloadImpact(
  config: GatewayConfig,
  state: StateStore | undefined,
  events: EventBus,
  active: Pick<ActivePolicy, 'current'>,
): ReloadImpactWatch | undefined {
  if (state === undefined || config.recording === undefined) return undefined;
  const entrypoint = config.policy.entrypoint;
  const impact = createReloadImpact({
    store: state,
    deciderFor: (revision) => {
      const unit = active.current();
      if (unit.revision !== revision) return undefined;
      const decider = createDecider({ policy: () => unit.policy, entrypoint });
      return (input) => decider.decide(input);
    },
    onProblem: (message) => events.publish({ type: 'state.failed', code: 'ERR_PROXY_STATE_UNAVAILABLE', message }),
  });
  events.subscribe((e) => {
    if (e.type === 'policy.activated') impact.activated(e.revision, e.previous);
  });
  return impact;
}
