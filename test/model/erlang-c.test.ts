/** The app's worker pool against queueing theory: M/M/c mean wait (Erlang C) and utilisation. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { mean, run, window } from './helpers.js';

/** Erlang C: probability that an arrival waits, for c servers and offered load a = λ/μ. */
function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const top = (term * a) / c / (1 - a / c);
  return top / (sum + top);
}

describe('app worker pool (M/M/c)', () => {
  const lambda = 300;
  const serviceMean = 0.02;
  const c = 8;
  let r: RunResult;
  beforeAll(() => {
    r = run({
      warmup: '30s',
      horizon: '10m',
      clients: { requests: { rate: lambda, timeout: '1m', retries: 0 } },
      app: { workers: c, service_time: `exp(mean=${serviceMean * 1000}ms)` },
      backends: [{ name: 'vm-a' }],
    });
  });

  it('mean time in system = Erlang C wait + service, within 5 %', () => {
    const mu = 1 / serviceMean;
    const a = lambda / mu;
    const wait = erlangC(c, a) / (c * mu - lambda);
    const expected = wait + serviceMean;
    // open_loop_latency also holds the client's two round trips (clients.rtt, 30 ms): a new
    // connection's handshake, then the request and its answer (clients/open-loop.ts).
    const measured = r.histograms.open_loop_latency.mean - 2 * 0.03;
    expect(Math.abs(measured - expected) / expected).toBeLessThan(0.05);
    // Not a trivial pass: the queue matters at this load (P(wait) ≈ 0.4).
    expect(erlangC(c, a)).toBeGreaterThan(0.3);
  });

  it('utilisation = λ / (cμ) within 3 %', () => {
    const rho = (lambda * serviceMean) / c;
    const measured = mean(window(r, 'utilisation', 1, 600, 'vm-a'));
    expect(Math.abs(measured - rho) / rho).toBeLessThan(0.03);
  });
});
