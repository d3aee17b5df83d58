import type { Rng } from '../../engine/random.js';
import { type BackoffConfig, RANDOMIZED_FACTOR } from '../../scenario/schema.js';

/**
 * Delay before reconnect/retry number `attempt` (0-based), with the formulas of the AWS
 * Architecture Blog "Exponential Backoff And Jitter" (2015) and its simulator:
 * capped exponential min(cap, base·2^n), full jitter U(0, that), equal jitter half + U(0, half),
 * decorrelated min(cap, U(base, previous·3)); and socket.io-client's `randomized` (randomizedDelay).
 * `previous` is the last delay (decorrelated only).
 */
export function backoffDelay(cfg: BackoffConfig, attempt: number, rng: Rng, previous: number): number {
  if (cfg.policy === 'randomized') return randomizedDelay(cfg, attempt, rng.next());
  const expo = Math.min(cfg.cap, cfg.base * 2 ** attempt);
  switch (cfg.policy) {
    case 'immediate':
      return 0;
    case 'exponential':
      return expo;
    case 'full_jitter':
      return rng.next() * expo;
    case 'equal_jitter':
      return expo / 2 + rng.next() * (expo / 2);
    case 'decorrelated_jitter': {
      const prev = previous > 0 ? previous : cfg.base;
      return Math.min(cfg.cap, cfg.base + rng.next() * (prev * 3 - cfg.base));
    }
  }
}

/**
 * socket.io-client's reconnection delay (packages/socket.io-client/lib/contrib/backo2.ts
 * `Backoff.prototype.duration`, with the Manager's options: min = reconnectionDelay, `base`;
 * max = reconnectionDelayMax, `cap`; jitter = randomizationFactor, `factor`; backo2's own factor
 * 2): ms = base·2^n; one draw `rand` gives both the deviation floor(rand·factor·ms) and its sign
 * (subtracted when floor(rand·10) is even, added when odd); the cap comes after the jitter,
 * min(ms ± deviation, cap), truncated to whole milliseconds (`| 0`). So past the cap the delays
 * sit at the cap unless the deviation takes them below it (with the defaults 1 s, 5 s, 0.5: the
 * 4th reconnect on, 8 s ± up to 4 s, is 4–5 s when subtracted, 5 s otherwise). n counts the
 * reconnects since the last success (Manager.onreconnect → backoff.reset()).
 */
export function randomizedDelay(cfg: BackoffConfig, attempt: number, rand: number): number {
  const factor = cfg.factor ?? RANDOMIZED_FACTOR;
  const ms = cfg.base * 1000 * 2 ** attempt;
  // Past ~1,000 failed reconnects base·2^n overflows to Infinity and the real client's
  // arithmetic reads NaN | 0 = 0 (no wait) on an even draw: not modelled, the cap instead.
  if (ms === Infinity) return cfg.cap;
  const deviation = Math.floor(rand * factor * ms);
  const jittered = (Math.floor(rand * 10) & 1) === 0 ? ms - deviation : ms + deviation;
  return Math.trunc(Math.min(jittered, cfg.cap * 1000)) / 1000;
}

/** Whether the policy spreads clients randomly (used when honouring a drain notice's retryAfter). */
export function hasJitter(cfg: BackoffConfig): boolean {
  return (
    cfg.policy === 'full_jitter' ||
    cfg.policy === 'equal_jitter' ||
    cfg.policy === 'decorrelated_jitter' ||
    cfg.policy === 'randomized'
  );
}

/**
 * Delay after a server's drain notice. retryAfter is a minimum wait, as HTTP's Retry-After is
 * (RFC 9110 §10.2.3: how long the client "ought to wait"); the client's jitter goes on top, never
 * below it (RFC 6455 §7.2.3 asks reconnecting clients for a random delay; the seed's Part 4 advice
 * is backoff + jitter at drain time). A jittering policy draws uniformly over a window as wide as
 * retryAfter after the minimum, [retryAfter, 2·retryAfter): the same spread the planner assumes
 * (plan/reconnect-peak.ts), moved after the minimum. A policy without jitter (and `immediate`,
 * which honours the notice too) waits exactly retryAfter.
 */
export function retryAfterDelay(cfg: BackoffConfig, retryAfter: number, rng: Rng): number {
  return hasJitter(cfg) ? retryAfter + rng.next() * retryAfter : retryAfter;
}
