/**
 * HAProxy mode tcp inactivity timeouts (lb/timeouts.ts; calibration/haproxy/NOTES.md item 16):
 * the smaller of timeout client / timeout server ends an idle keep-alive connection, timeout
 * tunnel replaces both; unset means none (HAProxy's default). The proxy closes both of its
 * connections: the client and nginx each read a FIN, nobody gets an error.
 */
import { describe, expect, it } from 'vitest';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** Keep-alive clients idling 40 s between requests (nginx's keepalive_timeout 75 s keeps them). */
function idle(lb: Record<string, unknown>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '10m',
    sample_interval: '10s',
    clients: {
      // idle_timeout 0s: the clients keep their idle connections, so the balancer's timeouts close them.
      http: {
        arrival_rate: 1,
        requests_per_connection: 'const(6)',
        think_time: 'const(40s)',
        idle_timeout: '0s',
        retries: 0,
      },
    },
    lb: { mode: 'l4', ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}

describe('HAProxy timeout client / server / tunnel (mode tcp)', () => {
  it('no timeout set (HAProxy default): idle connections stay until nginx closes them', () => {
    const r = run(idle({}));
    expect(recordsOf(r, 'lb.idle_timeout')).toHaveLength(0);
    // One connection per client (~600), every request after the first reuses it.
    expect(r.figures['new_conn.total']!).toBeLessThan(700);
  });

  it('timeout client 30s: each 40-s idle period ends the connection on both sides with a FIN, no error', () => {
    const none = run(idle({}));
    const r = run(idle({ timeout_client: '30s' }));
    const closes = recordsOf(r, 'lb.idle_timeout');
    expect(closes.length).toBeGreaterThan(0);
    expect(closes[0].timeout).toBe('client');
    // Every request after the first needs a new connection: about 6 per client.
    expect(r.figures['new_conn.total']!).toBeGreaterThan(4 * none.figures['new_conn.total']!);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    expect(r.figures['reset_out.total'] ?? 0).toBe(0);
    expect(r.figures['closed_fin.total']!).toBeGreaterThan(3 * none.figures['new_conn.total']!);
  });

  it('the smaller of client and server fires; tunnel replaces both', () => {
    const server = recordsOf(run(idle({ timeout_client: '50s', timeout_server: '30s' })), 'lb.idle_timeout');
    expect(server[0].timeout).toBe('server');
    expect(server[0].after).toBe(30);
    const tunnel = run(idle({ timeout_client: '30s', timeout_tunnel: '1h' }));
    expect(recordsOf(tunnel, 'lb.idle_timeout')).toHaveLength(0);
    const shortTunnel = recordsOf(run(idle({ timeout_client: '1h', timeout_tunnel: '20s' })), 'lb.idle_timeout');
    expect(shortTunnel[0].timeout).toBe('tunnel');
  });

  it("HAProxy's start-up warning when some timeouts are set but client or server/tunnel is missing", () => {
    const warned = recordsOf(run(idle({ timeout_server: '30s' })), 'lb.missing_timeouts');
    expect(warned).toHaveLength(1);
    expect(warned[0].client).toBe(false);
    expect(recordsOf(run(idle({ timeout_client: '30s', timeout_tunnel: '1h' })), 'lb.missing_timeouts')).toHaveLength(
      0,
    );
    expect(recordsOf(run(idle({})), 'lb.missing_timeouts')).toHaveLength(0);
  });

  it('nginx closing first (keepalive_timeout below the timeout) leaves the close to nginx', () => {
    const r = run({ ...idle({ timeout_client: '60s' }), nginx: { keepalive_timeout: '30s' } } as ScenarioInput);
    expect(recordsOf(r, 'lb.idle_timeout')).toHaveLength(0);
  });

  it('timeouts with lb.mode nat are scenario errors naming the key; l7 has them (l7-timeouts.test.ts)', () => {
    for (const key of ['timeout_client', 'timeout_server', 'timeout_tunnel']) {
      const res = ScenarioSchema.safeParse({ lb: { mode: 'nat', [key]: '30s' } });
      expect(res.success).toBe(false);
      const issue = res.error!.issues.find((i) => i.path.join('.') === `lb.${key}`);
      expect(issue?.message).toMatch(/^needs a proxy \(lb.mode: l4 or l7\)/);
      expect(ScenarioSchema.safeParse({ lb: { mode: 'l7', [key]: '30s' } }).success).toBe(true);
    }
  });
});
