/**
 * The kernel's SYN give-up for the balancer's per-request connects (lb/l7-dispatch.ts: open-loop
 * requests in lb.mode l7, and through an L4 proxy): with net.ipv4.tcp_syn_retries 2 on the
 * balancer's host (and the default 4 linear timeouts) connect() fails with ETIMEDOUT 7 s after the
 * first SYN (net/ipv4/tcp_timer.c tcp_write_timeout → tcp_write_err; net/tcp.ts
 * synRetransmitSchedule), before HAProxy's `timeout connect` of 20 s; HAProxy answers 503 then
 * (no retry left). The SYN schedule is the balancer's (lb.kernel), not the VMs' (kernel): found
 * by review15, session 13 — before, l7-dispatch read the VMs' kernel and ignored the give-up.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series } from '../helpers.js';

/** Open-loop requests, 1/s, two servers; vm-a vanishes at 0.5 s (its SYNs go unanswered). */
const vanishing = (synRetries: number | undefined, mode: 'l7' | 'l4'): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '40s',
  sample_interval: '1s',
  clients: { requests: { rate: 1, timeout: '60s', retries: 0 } },
  lb: {
    mode,
    connect_timeout: '20s',
    retries: 0,
    kernel: synRetries === undefined ? {} : { tcp_syn_retries: synRetries },
  },
  backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  timeline: [{ at: '0.5s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
});

/** End of the first 1-s sample that counts a failed request (5xx in l7, an error in l4). */
const firstFailure = (r: RunResult): number | undefined =>
  series(r, 'responses_5xx').find(([, v]) => v > 0)?.[0] ?? series(r, 'errors').find(([, v]) => v > 0)?.[0];

describe("per-request connects (l7-dispatch): the balancer's kernel gives up before timeout connect", () => {
  // Same seed, same arrivals: the first request sent to the vanished server fails 7 s after its
  // SYN with tcp_syn_retries 2, 20 s after it (timeout connect) with the default 6 (131 s).
  for (const mode of ['l7', 'l4'] as const) {
    it(`${mode}: lb.kernel tcp_syn_retries 2 fails it 13 s sooner than the default (7 s vs timeout connect 20 s)`, () => {
      const gaveUp = firstFailure(run(vanishing(2, mode), 1))!;
      const timedOut = firstFailure(run(vanishing(undefined, mode), 1))!;
      expect(timedOut).toBeGreaterThan(20);
      expect(gaveUp).toBe(timedOut - 13);
    });
  }
});
