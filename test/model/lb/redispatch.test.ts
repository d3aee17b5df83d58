/**
 * HAProxy's retry rules (calibration/haproxy/NOTES.md items 1–4): `stream_choose_redispatch()`
 * decides where a retry goes, the turn-around pause applies only to a refused connect retried on
 * the same server, and after the last retry the client learns at once (503 in http mode).
 */
import { describe, expect, it } from 'vitest';
import { choosesRedispatch, type RetryFacts, turnAroundPause } from '../../../sim/model/lb/redispatch.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, window } from '../helpers.js';

const base: RetryFacts = {
  redispatch: true,
  redispatchInterval: -1,
  persistent: false,
  serverRunning: true,
  retryNumber: 1,
  retries: 3,
  activeServers: 2,
  hashAlgorithm: false,
};

describe('stream_choose_redispatch()', () => {
  const cases: Array<[string, Partial<RetryFacts>, boolean]> = [
    [
      'no option redispatch: never, even for a DOWN server on the last retry',
      { redispatch: false, serverRunning: false, retryNumber: 3 },
      false,
    ],
    ['no persistence, 2 active servers, roundrobin: at the first retry', {}, true],
    ['persistent stream, server running, retry 1 of 3: stays', { persistent: true }, false],
    ['persistent stream, retry 2 of 3: stays', { persistent: true, retryNumber: 2 }, false],
    ['persistent stream, the last retry (3 of 3): redispatched', { persistent: true, retryNumber: 3 }, true],
    ['persistent stream whose server is DOWN: redispatched at once', { persistent: true, serverRunning: false }, true],
    ['one active server only: stays until the last retry', { activeServers: 1, retryNumber: 2 }, false],
    ['one active server, the last retry: redispatched', { activeServers: 1, retryNumber: 3 }, true],
    ['hash algorithm (balance source): stays until the last retry', { hashAlgorithm: true, retryNumber: 2 }, false],
    ['hash algorithm, server DOWN: redispatched', { hashAlgorithm: true, serverRunning: false }, true],
    [
      'retries 5, persistent: the 5th retry redispatches, the 4th does not',
      { persistent: true, retries: 5, retryNumber: 4 },
      false,
    ],
  ];
  for (const [name, facts, expected] of cases) {
    it(name, () => expect(choosesRedispatch({ ...base, ...facts })).toBe(expected));
  }

  it('pauses only a refused connect retried on the same server or with one active server', () => {
    expect(turnAroundPause(true, false, 2, 1)).toBe(1);
    expect(turnAroundPause(true, true, 2, 1)).toBe(0);
    expect(turnAroundPause(true, true, 1, 1)).toBe(1);
    // A connect timeout already waited: the retry goes at once.
    expect(turnAroundPause(false, false, 2, 1)).toBe(0);
  });
});

/** HAProxy http mode in front of two backends; vm-a is killed at 5 s (checks: inter 2s fall 3). */
function killedBackend(lb: Record<string, unknown>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    clients: { requests: { rate: 60, timeout: '30s', retries: 0 } },
    app: { workers: 8, service_time: 'const(5ms)' },
    lb: { mode: 'l7', balance: 'roundrobin', retries: 3, ...lb },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3 },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at: '5s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
  } as ScenarioInput;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('request-level balancer: retries after a kill -9', () => {
  it('without redispatch: three retries 1 s apart on the dead server, then 503 at once (3 s after the request)', () => {
    const r = run(killedBackend({ redispatch: false }));
    // Requests sent to vm-a from 5 s fail with 503 at 8 s onwards, none earlier (4 s would mean a pause after the last retry).
    expect(sum(window(r, 'req_5xx', 5.5, 8))).toBe(0);
    expect(sum(window(r, 'req_5xx', 8.5, 9))).toBeGreaterThan(25);
    expect(sum(window(r, 'req_5xx', 8.5, 9))).toBeLessThan(35);
    // Every attempt on vm-a after the kill was tried four times there (1 + 3 retries), never on vm-b.
    expect(r.figures['req_failed.total']!).toBeGreaterThan(100);
  });

  it('with redispatch: the first retry goes to vm-b at once, no error, no turn-around pause', () => {
    const r = run(killedBackend({ redispatch: true }));
    expect(r.figures['req_failed.total'] ?? 0).toBe(0);
    expect(r.figures['open_loop_latency.max']!).toBeLessThan(0.5);
  });

  it('with redispatch and one server left in load balancing, the retry waits the turn-around pause', () => {
    const input = killedBackend({ redispatch: true });
    input.backends = [{ name: 'vm-a' }, { name: 'vm-b', state: 'drain' }];
    const r = run(input);
    // vm-a is the only active server: its retries wait 1 s each, then the last one goes nowhere else.
    expect(r.figures['req_failed.total']!).toBeGreaterThan(100);
  });
});

describe('request-level balancer: balance source (map-based) after a kill -9', () => {
  it('with redispatch, the last retry is hashed to the dead server again (map_get_server_hash() avoids none): 503', () => {
    const input = killedBackend({ balance: 'source', redispatch: true });
    input.clients = { requests: { rate: 60, timeout: '30s', retries: 0, users: 8 } };
    const r = run(input);
    // Half of the 8 user addresses hash to vm-a: their requests from the kill until vm-a is DOWN
    // (third failed check, 2 s apart) fail after 1 + 3 tries on vm-a; a redispatch to vm-b
    // (drainsim before session 15's review) made them all succeed.
    expect(r.figures['req_failed.total']!).toBeGreaterThan(50);
    expect(sum(window(r, 'req_5xx', 0, 5))).toBe(0);
  });
});

describe('L4 proxy vs L4 NAT', () => {
  it('a NAT never retries: a killed backend refuses the client at once; an L4 proxy retries three times first', () => {
    const kill = (mode: 'l4' | 'nat') =>
      run({
        warmup: '0s',
        horizon: '12s',
        clients: { requests: { rate: 60, timeout: '30s', retries: 0 } },
        app: { workers: 8, service_time: 'const(5ms)' },
        lb: { mode, balance: 'roundrobin' },
        backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
        timeline: [{ at: '5s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
      } as ScenarioInput);
    const nat = kill('nat');
    const proxy = kill('l4');
    // NAT: refusals from 5 s on; proxy: nothing for 3 s, then the accepted clients read EOF.
    expect(sum(window(nat, 'err_econnrefused', 5.5, 7))).toBeGreaterThan(40);
    expect(sum(window(proxy, 'err_econnreset', 5.5, 7))).toBe(0);
    expect(sum(window(proxy, 'err_econnreset', 8.5, 10))).toBeGreaterThan(40);
    // HAProxy mode tcp never makes the client see a refusal (default_srv_error(): EOF, FIN).
    expect(proxy.figures['err_econnrefused.total'] ?? 0).toBe(0);
    expect(proxy.figures['reset_out.total'] ?? 0).toBe(0);
    expect(sum(window(proxy, 'closed_fin', 8.5, 10))).toBeGreaterThan(40);
  });

  it('keep-alive clients: an L4 proxy that gives up closes the accepted connection (EOF, no RST); a NAT passes the refusal', () => {
    const kill = (mode: 'l4' | 'nat') =>
      run({
        warmup: '0s',
        horizon: '12s',
        clients: {
          http: { arrival_rate: 30, requests_per_connection: 'const(1)', think_time: 'const(1s)', retries: 0 },
        },
        lb: { mode, balance: 'roundrobin' },
        backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
        // nginx stops listening on vm-a: its kernel answers each SYN with RST.
        timeline: [{ at: '5s', do: 'nginx_quit', backend: 'vm-a' }],
      } as ScenarioInput);
    const nat = kill('nat');
    const proxy = kill('l4');
    expect(sum(window(nat, 'err_econnrefused', 5.5, 12))).toBeGreaterThan(20);
    // (one request in flight at the quit may be reset either way)
    expect(nat.figures['err_econnreset.total'] ?? 0).toBeLessThanOrEqual(2);
    expect(proxy.figures['err_econnrefused.total'] ?? 0).toBe(0);
    // Three 1-s turn-around pauses on the same server first (no redispatch), then EOF.
    expect(sum(window(proxy, 'err_econnreset', 5.5, 7.5))).toBe(0);
    expect(sum(window(proxy, 'err_econnreset', 8.5, 12))).toBeGreaterThan(20);
    expect(proxy.figures['reset_out.total'] ?? 0).toBe(0);
    const failed = recordsOf(proxy, 'lb.connect_failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].clientSees).toBe('EOF');
    expect(recordsOf(nat, 'lb.connect_failed')[0].clientSees).toBe('ECONNREFUSED');
  });

  it('redispatch or retry_on_5xx with lb.mode nat is a scenario error naming the setting', () => {
    const res = ScenarioSchema.safeParse({ lb: { mode: 'nat', redispatch: true, retry_on_5xx: true } });
    expect(res.success).toBe(false);
    const paths = res.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('lb.redispatch');
    expect(paths).toContain('lb.retry_on_5xx');
  });
});

describe('a redispatch avoids only the server that just failed (assign_server() prev_srv, src/backend.c)', () => {
  /** Three servers, vm-a and vm-b killed at 5 s, checks too slow to notice: both stay in rotation. */
  const twoDead = (retries: number): ScenarioInput =>
    ({
      warmup: '0s',
      horizon: '15s',
      clients: { requests: { rate: 60, timeout: '30s', retries: 0 } },
      app: { workers: 8, service_time: 'const(5ms)' },
      lb: { mode: 'l7', balance: 'random', retries, redispatch: true },
      health_check: { type: 'http', inter: '1h', rise: 2, fall: 3 },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
      timeline: [
        { at: '5s', do: 'terminate', backend: 'vm-a', mode: 'kill' },
        { at: '5s', do: 'terminate', backend: 'vm-b', mode: 'kill' },
      ],
    }) as ScenarioInput;

  it('two redispatches may return to the server tried first: some requests fail although vm-c is up', () => {
    // get_server_rnd(s, prev_srv) (src/backend.c) avoids only prev_srv: after a → b, a may be next.
    const r = run(twoDead(2));
    const refused = sum(window(r, 'reset_in', 5.5, 15, 'vm-a')) + sum(window(r, 'reset_in', 5.5, 15, 'vm-b'));
    const failed = r.figures['req_failed.total'] ?? 0;
    // ≈ 60 × 9.5 requests: about a third land on vm-a, b, then a (or b, a, b) and get 503;
    // excluding every server tried (the old model) sent each one's second redispatch to vm-c: 0.
    expect(failed).toBeGreaterThan(60);
    expect(refused).toBeGreaterThan(failed * 2);
    // More retries give the dead pair more rounds but vm-c always a chance: fewer failures.
    expect(run(twoDead(6)).figures['req_failed.total'] ?? 0).toBeLessThan(failed / 2);
  });
});
