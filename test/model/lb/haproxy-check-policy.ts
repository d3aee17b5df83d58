/** HAProxy HTTP check policies for the timer-tree unit tests (check-task-wakeups, check-end-requeue). */
import type { CheckPolicy } from '../../../sim/model/lb/health-checker.js';

/**
 * HTTP checks on `inter` (fastinter = downinter = inter), HAProxy's spread (server k of n first
 * checked at inter × k / n) and the check tasks alone in the tree (no implicit resolvers section:
 * no nameserver in resolv.conf); the caller sets fall, rise and the timeouts.
 */
export const haproxyHttpChecks = (
  inter: number,
  p: Pick<CheckPolicy, 'rise' | 'fall' | 'timeout' | 'connectTimeout'>,
): CheckPolicy => ({
  type: 'http',
  endpoint: 'shallow',
  inter,
  fastinter: inter,
  downinter: inter,
  dependencyTimeout: 0,
  onDependencyTimeout: 'unready',
  checker: 'haproxy',
  firstCheck: -1,
  resolvers: false,
  ...p,
});
