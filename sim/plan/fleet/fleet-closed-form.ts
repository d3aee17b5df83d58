/**
 * The fleet rollout in closed form, to first order: every VM holds N/V steady-state sessions when
 * its drain starts (residual-life.ts), so a step cuts N/V · P(R_T > D) and lasts
 * until the batch's last connection ends, capped by the timeout,
 * plus the restart. TTL closes run at N/E[L] · Σ_k P(L > kT) per second across the fleet
 * (renewal: each session is closed once per period it outlives). What this leaves out (sessions
 * moved onto VMs still to be drained, moved twice) is what the Monte Carlo adds.
 */
import { ttlClosesPerSession } from '../plan-drain.js';
import type { ResidualLife } from '../residual-life.js';
import type { FleetSetting } from './fleet-replica.js';

export interface FleetExpectation {
  cut: number;
  moved: number;
  /** Expected duration of one batch's drain (without restart and pause). */
  stepDrain: number;
  rolloutTime: number;
  /** TTL reconnections per second across the fleet in steady state. */
  ttlReconnectsPerSecond: number;
}

/** Connections expected open at the timeout above which P(one is still open) is 1 − e^(−20) or more. */
const SURELY_OPEN = 20;

export function expectFleet(residual: ResidualLife, s: FleetSetting): FleetExpectation {
  const withTtl = Number.isFinite(s.ttl) ? residual.withTtl(s.ttl) : residual;
  const left = s.sessions * withTtl.survival(s.timeout);
  const batches = Math.ceil(s.vms / s.parallel);
  const perBatch = (s.sessions / s.vms) * s.parallel;
  // The batch's drain ends with its last connection or at the timeout. If even at the timeout the
  // batch expects many connections open, that is the timeout; else about the time when one is
  // left (the (1 − 1/n) quantile of the remaining life: the typical largest of n, to first order).
  const stepDrain =
    (left / s.vms) * s.parallel >= SURELY_OPEN ? s.timeout : Math.min(s.timeout, withTtl.timeUntil(1 / perBatch));
  const rolloutTime = batches * (stepDrain + s.restart) + (batches - 1) * s.pause;
  const ttlReconnectsPerSecond = Number.isFinite(s.ttl)
    ? (s.sessions / residual.integrated.mean) * ttlClosesPerSession(residual, s.ttl)
    : 0;
  return {
    cut: s.notice ? 0 : left,
    moved: ttlReconnectsPerSecond * rolloutTime + (s.notice ? left : 0),
    stepDrain,
    rolloutTime,
    ttlReconnectsPerSecond,
  };
}
