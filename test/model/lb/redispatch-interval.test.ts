/**
 * HAProxy `option redispatch <interval>` (stream_choose_redispatch(), include/haproxy/stream.h;
 * parsed by cfg_parse_listen(), src/cfgparse-listen.c: -1 when written alone). Behind `balance
 * source` the immediate redispatch of a non-persistent stream does not apply (a hash), so the
 * interval alone decides which of the `retries 3` goes to another server while a killed server
 * is still UP by its checks: each retry kept on it waits the 1-s turn-around pause first.
 */
import { describe, expect, it } from 'vitest';
import { isRedispatchRetry } from '../../../sim/model/lb/redispatch.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { run, series } from '../helpers.js';

/** Three servers behind balance source, retries 3 + option redispatch; vm-a killed at 5 s, checks too slow to see it. */
function hashedKill(
  interval: number | undefined,
  hashType: 'consistent' | 'map-based',
  clientTimeout: string,
): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '15s',
    clients: { requests: { rate: 60, timeout: clientTimeout, retries: 0, users: 30 } },
    app: { workers: 8, service_time: 'const(5ms)' },
    lb: {
      mode: 'l7',
      balance: 'source',
      hash_type: hashType,
      retries: 3,
      redispatch: true,
      ...(interval === undefined ? {} : { redispatch_interval: interval }),
    },
    health_check: { type: 'http', inter: '1h', rise: 2, fall: 3 },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
    timeline: [{ at: '5s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
  } as ScenarioInput;
}

describe('which retry a redispatch interval sends elsewhere (retries 3)', () => {
  const retriesRedispatched = (interval: number): number[] =>
    [1, 2, 3].filter((k) => isRedispatchRetry(k, 3, interval));
  it('-1 (option redispatch alone): the last; -2: the one before it; -3: every one', () => {
    expect(retriesRedispatched(-1)).toEqual([3]);
    expect(retriesRedispatched(-2)).toEqual([2]);
    expect(retriesRedispatched(-3)).toEqual([1, 2, 3]);
  });
  it('1: every retry; 2: every second; 3: the third; 0: none', () => {
    expect(retriesRedispatched(1)).toEqual([1, 2, 3]);
    expect(retriesRedispatched(2)).toEqual([2]);
    expect(retriesRedispatched(3)).toEqual([3]);
    expect(retriesRedispatched(0)).toEqual([]);
    // retries 5, -2: conn_retries % 4 — the 4th, the one before the last.
    expect([1, 2, 3, 4, 5].filter((k) => isRedispatchRetry(k, 5, -2))).toEqual([4]);
  });
});

describe('balance source, hash-type consistent: the ring avoids the failed server', () => {
  it('the redispatched retry k waits k − 1 turn-around pauses: 1 → at once, 2 → 1 s, -1 (the old fixed rule) → 2 s', () => {
    const maxLatency = (interval: number | undefined): number =>
      run(hashedKill(interval, 'consistent', '30s')).figures['open_loop_latency.max']!;
    // Each latency holds its client's two round trips (clients.rtt 30 ms: a new connection's
    // handshake, then the request; clients/open-loop.ts) besides the pauses and the 5-ms service.
    const roundTrips = 2 * 0.03;
    const unset = maxLatency(undefined);
    expect(unset).toBeCloseTo(roundTrips + 2.005, 2);
    expect(maxLatency(-1)).toBe(unset);
    expect(maxLatency(2)).toBeCloseTo(roundTrips + 1.005, 2);
    expect(maxLatency(1)).toBeLessThan(roundTrips + 0.05);
  });

  it('under a 1.5-s client timeout the default loses the dead server’s requests; interval 1 and 2 lose none', () => {
    const failed = (interval: number | undefined): number =>
      run(hashedKill(interval, 'consistent', '1500ms')).figures['req_failed.total'] ?? 0;
    // vm-a's third of 30 addresses for the 10 s after the kill: ≈ 60 × 10 / 3 requests time out.
    expect(failed(undefined)).toBeGreaterThan(150);
    expect(failed(0)).toBe(failed(undefined));
    expect(failed(2)).toBe(0);
    expect(failed(1)).toBe(0);
  });
});

describe('balance source, map-based: every redispatch hashes back to the dead server', () => {
  /** Time of the first second with a 503. */
  const first503 = (interval: number): number => {
    const hit = series(run(hashedKill(interval, 'map-based', '30s')), 'req_5xx').find(([, v]) => v > 0);
    return hit ? hit[0] : Number.POSITIVE_INFINITY;
  };
  it('the 503 comes at once with interval 1 (no pause: each retry is a redispatch), 2 s later with -1', () => {
    // map_get_server_hash() takes no server to avoid (get_server_sh(), src/backend.c): all fail either way.
    const at1 = first503(1);
    const atDefault = first503(-1);
    expect(at1).toBeLessThanOrEqual(6);
    expect(atDefault - at1).toBeGreaterThanOrEqual(1.5);
  });
});

describe('lb.redispatch_interval input checks', () => {
  const issues = (lb: Record<string, unknown>): string[] => {
    const res = ScenarioSchema.safeParse({ lb });
    return res.success ? [] : res.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  it('needs redispatch: true', () => {
    expect(issues({ mode: 'l7', redispatch_interval: 1 })[0]).toMatch(/^lb\.redispatch_interval: needs lb\.redispatch/);
  });
  it('is refused behind a NAT', () => {
    expect(issues({ mode: 'nat', redispatch_interval: 1 })[0]).toMatch(/^lb\.redispatch_interval: needs a proxy/);
  });
  it('refuses a negative interval reaching past the first retry (HAProxy divides by retries + 1 + interval)', () => {
    expect(issues({ mode: 'l7', redispatch: true, retries: 3, redispatch_interval: -3 })).toEqual([]);
    expect(issues({ mode: 'l7', redispatch: true, retries: 3, redispatch_interval: -4 })[0]).toMatch(
      /^lb\.redispatch_interval: expected a number >= -3/,
    );
  });
});

describe('an l4 balancer (mode tcp) reads the same interval (back_handle_st_cer())', () => {
  it('consistent hash, vm-a killed: 1 redispatches the first retry at once, -1 the third after two pauses', () => {
    const l4 = (interval: number): ScenarioInput => {
      const input = hashedKill(interval, 'consistent', '30s');
      input.lb = { ...input.lb, mode: 'l4' };
      return input;
    };
    const max = (interval: number): number => run(l4(interval)).figures['open_loop_latency.max']!;
    expect(max(-1)).toBeGreaterThan(1.9);
    expect(max(1)).toBeLessThan(0.1);
  });
});
