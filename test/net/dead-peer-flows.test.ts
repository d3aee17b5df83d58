/**
 * Where drainsim's flows meet a vanished peer (no FIN, no RST), the kernel's retransmission
 * give-up (`kernel.tcp_retries2`, net/dead-peer.ts) ends what HAProxy or the client would
 * otherwise keep: the balancer's held streams (core/held-streams.ts: lb.kernel) and a WebSocket
 * client's unanswered ping (clients/websocket.ts: the balancer's server socket behind a proxy,
 * the client machine's own behind a NAT). The times follow the recorded runs
 * calibration/data/kernel-holdout-dead-peer-retries2-*-rt.json: tcp_retries2 3 gives up ≈ 6.7 s
 * after the unacknowledged send on a 204-ms RTO.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';
import { RandomStreams } from '../../sim/engine/random.js';
import { EventLog } from '../../sim/metrics/event-log.js';
import { HeldStreams } from '../../sim/model/core/held-streams.js';
import { LbHost } from '../../sim/model/core/lb-host.js';
import type { LoadBalancer } from '../../sim/model/lb/pool.js';
import type { ScenarioInput } from '../../sim/scenario/schema.js';
import { lineOf } from '../../sim/trace/catalog.js';
import { run, scenario, series, valueAt } from '../model/helpers.js';
import { vanishL4 } from '../model/lb/vanish-l4.js';
import { recordsOf } from '../trace/records-of.js';

/** vanishL4 with the balancer host's tcp_retries2. */
function vanishWithRetries2(retries2: number | undefined): ScenarioInput {
  const input = vanishL4({}, [], '20s');
  return { ...input, lb: { ...input.lb, ...(retries2 === undefined ? {} : { kernel: { tcp_retries2: retries2 } }) } };
}

describe("the balancer host's tcp_retries2 ends streams held towards a vanished server", () => {
  it('tcp_retries2 3: ETIMEDOUT ≈ 6.7 s after each unacknowledged request, the slots freed', () => {
    const r = run(vanishWithRetries2(3), 1);
    const ended = recordsOf(r, 'lb.server_side_timeout');
    expect(ended.length).toBeGreaterThan(3);
    expect(ended.every((x) => x.cause === 'retries2')).toBe(true);
    // Requests written at 5–5.2 s, RTO 1 ms + 200 ms = 51 jiffies: probe 0.204 s, RTO firings
    // 0.41, 0.82, 1.63, 3.26 s later, the give-up 6.53 s after the first of them — each firing
    // late on the wheel (32-ms and 256-ms buckets).
    for (const x of ended) {
      expect(x.after).toBeGreaterThan(6.5);
      expect(x.after).toBeLessThan(7.0);
      expect(x.t).toBeGreaterThan(11.5);
      expect(x.t).toBeLessThan(12.3);
    }
    expect(lineOf(ended[0])).toMatch(
      /^vm-a: stream of a departed client ended by the balancer's kernel \(tcp_retries2\) after 6\.\d+s of retransmissions$/,
    );
    // Held until then (the trace line is rate-limited: fewer records than streams).
    expect(valueAt(r, 'active_conn', 11, 'vm-a')).toBeGreaterThanOrEqual(ended.length);
    expect(valueAt(r, 'active_conn', 13, 'vm-a')).toBe(0);
  });

  it('the default 15 keeps them past the run (≈ 938 s), as before', () => {
    const r = run(vanishWithRetries2(undefined), 1);
    expect(recordsOf(r, 'lb.server_side_timeout')).toHaveLength(0);
    expect(valueAt(r, 'active_conn', 19, 'vm-a')).toBeGreaterThan(3);
  });

  it('a timeout server shorter than the give-up still decides', () => {
    const input = vanishWithRetries2(3);
    const r = run({ ...input, lb: { ...input.lb, timeout_server: '3s' } }, 1);
    const ended = recordsOf(r, 'lb.server_side_timeout');
    expect(ended.length).toBeGreaterThan(3);
    expect(ended.every((x) => x.cause === 'timeout' && x.after === 3)).toBe(true);
  });
});

/** One WebSocket session from 1 s, pings every 10 s, a 60-s pong timeout; vm-a vanishes at 5 s. */
function wsVanish(mode: 'l4' | 'nat', retries2: number | undefined): ScenarioInput {
  const kernel = retries2 === undefined ? {} : { kernel: { tcp_retries2: retries2 } };
  return {
    warmup: '0s',
    horizon: '80s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      ...(mode === 'nat' ? kernel : {}),
      ws: {
        ping_interval: '10s',
        pong_timeout: '60s',
        reconnect: { policy: 'exponential', base: '1h', cap: '1h' },
        scheduled: [{ at: '1s', lifetime: '1h' }],
      },
    },
    lb: { mode, ...(mode === 'l4' ? { timeout_client: '1h', timeout_server: '1h', ...kernel } : {}) },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '5s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
  } as ScenarioInput;
}

/**
 * The first sample at which the client has closed its session with a 1006: it noticed. (Not the
 * balancer's flow count: in l4 HAProxy keeps a client-closed stream towards a vanished server until
 * its own server side gives up — world.ts heldByProxy — so the two differ there.)
 */
function noticedAt(r: ReturnType<typeof run>): number {
  return series(r, 'ws_close_1006').find(([t, v]) => t > 5 && v > 0)![0];
}

describe('a WebSocket ping to a vanished server: the kernel that retransmits it may give up first', () => {
  for (const mode of ['nat', 'l4'] as const) {
    const where = mode === 'nat' ? 'clients.kernel' : 'lb.kernel';
    it(`${mode}: ${where}.tcp_retries2 3 notices ≈ 6.7 s after the ping, not at the 60-s pong timeout`, () => {
      const byPong = run(wsVanish(mode, undefined), 1);
      const byKernel = run(wsVanish(mode, 3), 1);
      // Default 15: the pong timeout decides, 60 s after the first ping past the vanish.
      expect(noticedAt(byPong)).toBeGreaterThan(65);
      expect(valueAt(byPong, 'ws_close_1006', noticedAt(byPong))).toBe(1);
      // tcp_retries2 3: ≈ 6.7 s after that ping (samples are whole seconds).
      const earlier = noticedAt(byPong) - noticedAt(byKernel);
      expect(earlier).toBeGreaterThanOrEqual(52);
      expect(earlier).toBeLessThanOrEqual(54);
      expect(valueAt(byKernel, 'ws_close_1006', noticedAt(byKernel))).toBe(1);
      // Who still holds the flow once the client gave up at its pong timeout: a NAT forgets it with
      // the client's close; HAProxy (l4) keeps the stream, its server side retransmitting the ping
      // until its kernel's give-up (tcp_retries2 15: ≈ 924 s), past this run's end.
      expect(valueAt(byPong, 'active_conn', 79)).toBe(mode === 'l4' ? 1 : 0);
    });
  }
});

describe("a WebSocket to a vanished server keeps its session's ping schedule", () => {
  // Session from ≈ 1 s, pings every 10 s: the ping after the 5-s vanish goes out at ≈ 11 s (the
  // session's schedule), not 10 s after the vanish (15 s) — the schedule must survive the session
  // being forgotten on the server side (app/ws-endpoint.ts serverGone).
  for (const mode of ['nat', 'l4'] as const) {
    it(`${mode}: the pong timeout gives up 60 s after the ≈ 11-s ping (≈ 71 s), tcp_retries2 3 ≈ 6.7 s after it`, () => {
      expect(noticedAt(run(wsVanish(mode, undefined), 1))).toBe(72);
      expect(noticedAt(run(wsVanish(mode, 3), 1))).toBe(18);
    });
  }
});

describe('behind an L7 balancer, its server socket times the RTO on lb.server_rtt when set', () => {
  /** wsVanish through lb.mode l7, lb.kernel.tcp_retries2 3, with or without a balancer↔server RTT. */
  function l7(serverRtt: string | undefined): ScenarioInput {
    const input = wsVanish('l4', 3);
    const lb = { ...input.lb, mode: 'l7', ...(serverRtt === undefined ? {} : { server_rtt: serverRtt }) };
    return { ...input, lb } as ScenarioInput;
  }

  it('server_rtt 400ms: RTO 1.2 s, the give-up ≈ 9.4 s after the ping instead of ≈ 6.7 s on clients.rtt 1ms', () => {
    // firstDataRto(0.4) = 0.4 + 2·0.4 = 1.2 s; probe min(2·0.4 + 0.2, 1.2) = 1.0 s; RTO firings at
    // 2.2 (retrans_stamp), 4.6 and 9.4 s (7.2 s ≥ tcp_model_timeout 3.0 s) — on the wheel, late.
    const onClientsRtt = noticedAt(run(l7(undefined), 1));
    const onServerRtt = noticedAt(run(l7('400ms'), 1));
    expect(onServerRtt - onClientsRtt).toBeGreaterThanOrEqual(2);
    expect(onServerRtt - onClientsRtt).toBeLessThanOrEqual(4);
  });
});

describe("lb.srvtcpka: the balancer's server socket probes an idle tunnel to a vanished server", () => {
  /** wsVanish through lb.mode l4 without pings, keep-alive 10 / 1 / 3 on the balancer host. */
  function idleTunnel(srvtcpka: boolean | undefined): ScenarioInput {
    const input = wsVanish('l4', undefined);
    const kernel = { tcp_keepalive_time: 10, tcp_keepalive_intvl: 1, tcp_keepalive_probes: 3 };
    return {
      ...input,
      clients: { ...input.clients, ws: { ...input.clients!.ws, ping_interval: 'none' } },
      lb: { ...input.lb, kernel, ...(srvtcpka === undefined ? {} : { srvtcpka }) },
    } as ScenarioInput;
  }

  it('on: the tunnel ends ≈ 13 s after the upgrade (10 s idle + 3 probes × 1 s), a 1006 and ETIMEDOUT', () => {
    const r = run(idleTunnel(true), 1);
    // Upgraded at ≈ 1 s; probes at ≈ 11, 12, 13 s; the give-up at ≈ 14 s, on the wheel.
    expect(noticedAt(r)).toBeGreaterThanOrEqual(14);
    expect(noticedAt(r)).toBeLessThanOrEqual(15);
    expect(valueAt(r, 'ws_close_1006', noticedAt(r))).toBe(1);
  });

  it('is refused for lb.mode nat (no server socket of its own), and the keep-alive sysctls are bounded as Linux', () => {
    const nat = { ...idleTunnel(true), lb: { mode: 'nat', srvtcpka: true } } as ScenarioInput;
    expect(() => scenario(nat)).toThrow(/needs a proxy \(lb\.mode: l4 or l7\)/);
    const probes = (n: number) => ({ ...idleTunnel(true), lb: { mode: 'l4', kernel: { tcp_keepalive_probes: n } } });
    expect(() => scenario(probes(256) as ScenarioInput)).toThrow(/expected a number <= 255 \(a u8 sysctl/);
    expect(scenario(idleTunnel(undefined)).lb.kernel.tcp_keepalive_time).toBe(10);
    expect(scenario(wsVanish('l4', undefined)).lb.kernel.tcp_keepalive_time).toBe(7200);
  });

  it('off (HAProxy default): nothing is outstanding, nothing notices within the 80-s run', () => {
    const r = run(idleTunnel(undefined), 1);
    expect(series(r, 'active_conn').every(([t, v]) => t <= 5 || v === 1)).toBe(true);
  });
});

describe('kernel.tcp_retries2 in a scenario', () => {
  it('defaults to 15 and is bounded as the kernel u8 sysctl is (0 … 255)', () => {
    expect(scenario(wsVanish('nat', undefined)).clients.kernel.tcp_retries2).toBe(15);
    expect(() => scenario(wsVanish('nat', -1))).toThrow(/tcp_retries2/);
    expect(() => scenario(wsVanish('nat', 256))).toThrow(/expected a number <= 255 \(a u8 sysctl/);
    expect(scenario(wsVanish('nat', 255)).clients.kernel.tcp_retries2).toBe(255);
  });
});

describe("an exited HAProxy process's held streams: orphans keep their ports (tcp_orphan_retries)", () => {
  /**
   * One held stream on the balancer host, its process exiting at `exitAt`; the port's state over
   * time, and the host's orphan count (the `orphan` of its /proc/net/sockstat) with it.
   */
  function orphanPort(orphanRetries: number, exitAt: number): ((t: number) => string) & { orphans: () => number } {
    const input = vanishL4({ kernel: { tcp_orphan_retries: orphanRetries } }, [], '1s');
    const sc = scenario(input);
    const engine = new Engine();
    const lbHost = new LbHost(sc.lb.kernel, new RandomStreams(1), 1);
    const active = new Int32Array(1);
    const lb = { active, slotFreed: null, dropConn: (b: number) => active[b]-- } as unknown as LoadBalancer;
    const w = {
      engine,
      trace: new EventLog(engine),
      lb,
      lbHost,
      scenario: sc,
      backends: [{ name: 'vm-a', hostUp: false }],
      onHeldStreamEnded: () => {},
    };
    const held = new HeldStreams(w);
    const port = lbHost.connect(0, 0);
    lb.active[0] = 1;
    // The request went unacknowledged at 0; no HAProxy timeout, so only the kernel ends it.
    held.hold(0, lbHost.backendPair(0), port, 0, 0, Number.POSITIVE_INFINITY);
    engine.run(exitAt);
    expect(held.endOpenedBefore(1)).toBe(1);
    expect(lb.active[0]).toBe(0);
    const at = (t: number) => {
      engine.run(t);
      return lbHost.host.stateOf(lbHost.backendPair(0), port, t);
    };
    return Object.assign(at, { orphans: () => lbHost.host.orphanCount });
  }

  it('0 (→ 8): the port stays ≈ 102 s after the first RTO retransmission, then is free without TIME_WAIT', () => {
    const at = orphanPort(0, 5);
    expect(at(5)).toBe('open');
    // tcp_model_timeout(8) = 102.2 s after the first RTO retransmission (0.408 s): the firing at
    // 0.408 × 2^8 = 104.4 s, each of its 26-s and 52-s waits up to 2.048 s late on the wheel.
    expect(at(104.3)).toBe('open');
    expect(at(109)).toBe('none');
  });

  it('2: already past its 1.4 s when the process exits at 5 s: gone at the next RTO firing (6.5 s)', () => {
    const at = orphanPort(2, 5);
    expect(at(5.1)).toBe('open');
    expect(at(7.2)).toBe('none');
  });

  it("counts the orphan in the host's orphanCount (sockstat's `orphan`) from the exit until it gives up", () => {
    const at = orphanPort(2, 5);
    expect(at(4.9)).toBe('open');
    expect(at.orphans()).toBe(1);
    expect(at(7.2)).toBe('none');
    expect(at.orphans()).toBe(0);
  });
});
