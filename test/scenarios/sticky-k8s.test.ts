/** Sticky sessions and Kubernetes rollouts (seed "The Load Balancer Lied"). */
import { describe, expect, it } from 'vitest';
import { runBuiltin } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

describe('sticky sessions', () => {
  it('sticky-crash: the users whose in-memory sessions were on the crashed backend lose them', () => {
    const r = runBuiltin('sticky-crash');
    expect(r.figures['sessions_lost.total']!).toBeGreaterThan(500);
    expect(recordsOf(r, 'app.session_lost').some((lost) => lost.home === 'vm-b')).toBe(true);
  });

  it('sticky-external-store: the same crash loses no session', () => {
    const r = runBuiltin('sticky-external-store');
    expect(r.figures['sessions_lost.total']).toBe(0);
    expect(r.figures['removals.total']).toBe(1);
  });
});

describe('Kubernetes rolling updates', () => {
  it('k8s-rolling-naive: connections fail in the endpoint-propagation window: refused, then unanswered once the pod has gone', () => {
    const r = runBuiltin('k8s-rolling-naive');
    // Refused while the app finishes (its listener closed), then timed out: the pod's IP is gone.
    expect(r.figures['err_econnrefused.total']!).toBeGreaterThan(0);
    expect(r.figures['err_client_timeout.total']!).toBeGreaterThan(100);
    expect(r.figures['req_failed.total']).toBe(
      r.figures['err_econnrefused.total']! + r.figures['err_client_timeout.total']!,
    );
  });

  it('k8s-rolling-prestop: a preStop sleep longer than the propagation delay: no failed request', () => {
    const r = runBuiltin('k8s-rolling-prestop');
    expect(r.figures['errors.total']).toBe(0);
    expect(r.figures['restarts.total']).toBe(3);
  });

  it('k8s-grace-too-short: requests longer than terminationGracePeriodSeconds are cut by SIGKILL; 90 s fixes it', () => {
    const short = runBuiltin('k8s-grace-too-short');
    // Every client error is a request one of the three SIGKILLs cut.
    const cut = recordsOf(short, 'k8s.grace_over');
    expect(cut.map((c) => c.gracePeriod)).toEqual([30, 30, 30]);
    const cutTotal = cut.reduce((sum, c) => sum + c.inFlight, 0);
    expect(cutTotal).toBeGreaterThan(0);
    expect(short.figures['errors.total']).toBe(cutTotal);
    const longer = runBuiltin('k8s-grace-longer');
    expect(longer.figures['errors.total']).toBe(0);
  });
});
