/**
 * HAProxy in l4 mode connecting to a vanished VM (no SYN answered): its kernel gives up at the
 * firing after its last SYN retransmission (net/ipv4/tcp_timer.c tcp_write_timeout →
 * tcp_write_err, ETIMEDOUT; net/tcp.ts synRetransmitSchedule) when that comes before `timeout
 * connect`: HAProxy gets a connection error (back_handle_st_cer), not its connect timeout.
 * tcp_syn_retries 2 with the default 4 linear timeouts: SYNs at 0, 1 … 5 s, give-up at 7 s (each
 * re-arm on the balancer's timer wheel, HZ 250: 1-s timers in 32-ms buckets, so up to ~0.2 s late).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';
import { scheduledWs } from './scheduled-ws.js';

const CONNECT_AT = 1;

/** One WebSocket connect at 1 s to a VM that vanished at 0.5 s (before any health check noticed). */
const toVanished = (synRetries?: number): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '30s',
  sample_interval: '1s',
  clients: scheduledWs([CONNECT_AT]),
  lb: {
    mode: 'l4',
    connect_timeout: '20s',
    retries: 0,
    kernel: synRetries === undefined ? {} : { tcp_syn_retries: synRetries },
  },
  app: { ws: { handshake_time: '0s' } },
  backends: [{ name: 'vm-a' }],
  timeline: [{ at: '0.5s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
});

const failures = (r: RunResult) => r.events.filter((l) => l.record.kind === 'lb.connect_failed');

describe("l4: the balancer's kernel gives up on a vanished server before timeout connect", () => {
  it('tcp_syn_retries 2: the connect fails 7 s after the SYN (on the timer wheel), not at timeout connect 20 s', () => {
    const f = failures(run(toVanished(2), 1));
    expect(f).toHaveLength(1);
    expect(f[0].t).toBeGreaterThanOrEqual(CONNECT_AT + 7 - 1e-9);
    expect(f[0].t).toBeLessThanOrEqual(CONNECT_AT + 7 + 6 * 0.032 + 1e-9);
    // The log names the kernel's give-up, not timeout connect.
    expect(f[0].text).toBe('backend=vm-a connect failed after 0 retries (syn_giveup)');
  });

  it('default tcp_syn_retries 6 (131 s): timeout connect decides, at 20 s', () => {
    const f = failures(run(toVanished(), 1));
    expect(f).toHaveLength(1);
    expect(f[0].t).toBeCloseTo(CONNECT_AT + 20, 6);
    expect(f[0].text).toBe('backend=vm-a connect failed after 0 retries (timeout)');
  });
});

/**
 * nginx's listen queue on :443 full for 20 s (one worker, 20-s handshakes, backlog 1: 2 places,
 * filled by the 4 connects at 0 s): the connect at 0.5 s has its SYNs dropped (kernel.listen_overflow)
 * until its kernel gives up (tcp_syn_retries 2: ≈ 7 s after the SYN) or timeout connect 10 s.
 */
const fullListenQueue = (synRetries?: number): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '15s',
  sample_interval: '1s',
  nginx: { worker_processes: 1, listen_backlog: 1 },
  app: { service_time: 'const(1ms)', ws: { handshake_time: '0s' }, tls: { terminates: 'nginx', handshake_cpu: '20s' } },
  lb: {
    mode: 'l4',
    connect_timeout: '10s',
    retries: 0,
    kernel: synRetries === undefined ? {} : { tcp_syn_retries: synRetries },
  },
  clients: {
    ws: {
      ping_interval: 0,
      pong_timeout: '0s',
      handshake_timeout: '0s',
      reconnect: { policy: 'exponential', base: '1h', cap: '1h' },
      scheduled: [...Array.from({ length: 4 }, () => ({ at: '0s', lifetime: '1h' })), { at: '500ms', lifetime: '1h' }],
    },
  },
  backends: [{ name: 'vm-a' }],
});

const synDrops = (r: RunResult) =>
  r.events.filter(
    (l) => l.record.kind === 'kernel.listen_overflow' && (l.record as { dropped: string }).dropped === 'syn',
  );

describe("l4: the balancer's kernel gives up on SYNs a full listen queue drops before timeout connect", () => {
  it('tcp_syn_retries 2: 6 SYNs (5 retransmits) dropped, the connect fails at the give-up firing ≈ 7.1 s after its SYN', () => {
    const r = run(fullListenQueue(2), 1);
    const drops = synDrops(r);
    expect(drops).toHaveLength(6);
    // The last drop's trace says the connect gives up at the next firing (no retransmission 6).
    expect(drops[5].text).toMatch(/the connect gives up in [^(]+\(tcp_syn_retries 2\)$/);
    expect(drops[4].text).toContain('SYN retransmitted in');
    const f = failures(r);
    expect(f).toHaveLength(1);
    expect(f[0].t).toBeGreaterThanOrEqual(0.5 + 7 - 1e-9);
    expect(f[0].t).toBeLessThanOrEqual(0.5 + 7 + 6 * 0.032 + 1e-9);
    expect(f[0].text).toContain('(syn_giveup)');
  });

  it('default tcp_syn_retries 6: retransmission 6 at ≈ 7 s is sent, and timeout connect ends it at 10.5 s', () => {
    const r = run(fullListenQueue(), 1);
    const drops = synDrops(r);
    expect(drops).toHaveLength(7);
    expect(drops[6].text).toMatch(/the connect gives up in [^(]+\(timeout connect 10s\)$/);
    const f = failures(r);
    expect(f).toHaveLength(1);
    expect(f[0].t).toBeCloseTo(0.5 + 10, 6);
  });
});
