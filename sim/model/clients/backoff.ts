import type { Rng } from '../../engine/random.js';
import type { BackoffConfig } from '../../scenario/schema.js';

/**
 * Delay before reconnect/retry number `attempt` (0-based), with the formulas of the AWS
 * Architecture Blog "Exponential Backoff And Jitter" (2015) and its simulator:
 * capped exponential min(cap, base·2^n), full jitter U(0, that), equal jitter half + U(0, half),
 * decorrelated min(cap, U(base, previous·3)). `previous` is the last delay (decorrelated only).
 */
export function backoffDelay(cfg: BackoffConfig, attempt: number, rng: Rng, previous: number): number {
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

/** Whether the policy spreads clients randomly (used when honouring a drain notice's retryAfter). */
export function hasJitter(cfg: BackoffConfig): boolean {
  return cfg.policy === 'full_jitter' || cfg.policy === 'equal_jitter' || cfg.policy === 'decorrelated_jitter';
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
