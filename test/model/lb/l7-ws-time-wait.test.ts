/**
 * lb.mode l7: an upgraded WebSocket is two TCP connections, client ↔ balancer and balancer ↔
 * nginx (core/world.ts proxyClientSideClose()). Whoever closes each first holds its TIME_WAIT: a
 * client that closes TCP first keeps it on its machine and HAProxy, relaying with a clean FIN,
 * keeps the server side's on its host; when nginx or HAProxy ends the tunnel (also after a
 * client's Close frame: the server closes TCP first), HAProxy closes the
 * client's connection first and its host keeps that TIME_WAIT for 60 s (`lb_time_wait`: a
 * frontend socket is never FD_LINGER_RISK, src/proto_tcp.c), the VM keeps nginx's when nginx
 * closed first (nginx → app upstream TIME_WAITs are on the VM too, so `time_wait` is not 0 there).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

function ws(clients: Record<string, unknown>, lb: Record<string, unknown>, app: Record<string, unknown> = {}) {
  return {
    warmup: '0s',
    horizon: '3m',
    sample_interval: '10s',
    clients: { ws: { initial_sessions: 100, ping_interval: 'none', ...clients } },
    app: { ws: app },
    lb: { mode: 'l7', ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}

describe('WebSocket tunnels behind lb.mode l7: the TIME_WAIT of each of the two connections', () => {
  it('the balancer ends idle tunnels (timeout tunnel 20s): its host holds the client side TIME_WAITs for 60 s', () => {
    const r = run(ws({ lifetime: 'const(1h)' }, { timeout_tunnel: '20s' }));
    expect(fig(r, 'ws_close_1006.total')).toBeGreaterThan(500);
    for (const t of [90, 120, 180]) {
      const closes = sum(window(r, 'closed_fin', t - 50, t));
      expect(closes).toBeGreaterThan(100);
      expect(valueAt(r, 'lb_time_wait', t)).toBe(closes);
    }
  });

  it('the app ends sessions (session_ttl 30s): the VM holds nginx side TIME_WAITs, the balancer the client side ones', () => {
    const r = run(ws({ lifetime: 'const(1h)' }, {}, { session_ttl: '30s' }));
    expect(fig(r, 'ws_close_1001.total')).toBeGreaterThan(300);
    const closes = sum(window(r, 'closed_fin', 130, 180));
    expect(closes).toBeGreaterThan(100);
    expect(valueAt(r, 'lb_time_wait', 180)).toBe(closes);
    expect(valueAt(r, 'time_wait', 180)).toBeGreaterThan(0);
  });

  it('sessions that end normally (1000, lifetime 30s): the server closes TCP first (RFC 6455 §7.1.1), so the TIME_WAITs are on the VM and the balancer client side', () => {
    const r = run(ws({ initial_sessions: 0, arrival_rate: 10, lifetime: 'const(30s)' }, {}));
    expect(fig(r, 'ws_close_1000.total')).toBeGreaterThan(1000);
    const closes = sum(window(r, 'closed_fin', 130, 180));
    expect(closes).toBeGreaterThan(500);
    expect(valueAt(r, 'lb_time_wait', 180)).toBe(closes);
    // HAProxy's server side closed passively: its ports are the open tunnels' only (≈ 10/s × 30 s).
    expect(valueAt(r, 'lb_ports_busy', 180)).toBeLessThan(400);
  });
});
