/**
 * An L4 NAT's connection table forgets idle flows (lb/nat-idle.ts): AWS NLB after 350 s, IPVS
 * after 900 s. The next packet of a flow idle longer than that is answered with RST; a proxy
 * (lb.mode l4) has no such table.
 */
import { describe, expect, it } from 'vitest';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** Keep-alive clients that wait `think` between requests; nginx keeps idle connections 20 min. */
function idleClients(mode: 'nat' | 'l4', think: string, natIdle?: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30m',
    sample_interval: '10s',
    nginx: { keepalive_timeout: '20m' },
    clients: {
      // A client that keeps its idle connection: the NAT's idle timeout decides.
      http: {
        arrival_rate: 0.2,
        requests_per_connection: 'const(4)',
        think_time: `const(${think})`,
        idle_timeout: '0s',
        retries: 0,
      },
    },
    lb: natIdle === undefined ? { mode } : { mode, nat_idle_timeout: natIdle },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}

describe('L4 NAT idle timeout', () => {
  it('NLB default 350 s: a request after 400 s of idleness is reset; after 300 s it is served', () => {
    const long = run(idleClients('nat', '400s'));
    const short = run(idleClients('nat', '300s'));
    expect(long.figures['err_econnreset.total']!).toBeGreaterThan(50);
    expect(long.figures['reset_out.total']).toBe(long.figures['err_econnreset.total']);
    const [first] = recordsOf(long, 'lb.nat_idle_expired');
    expect(first.timeout).toBe(350);
    expect(first.idle).toBeGreaterThan(350);
    expect(short.figures['err_econnreset.total'] ?? 0).toBe(0);
    expect(recordsOf(short, 'lb.nat_idle_expired')).toHaveLength(0);
  });

  it('IPVS 900 s keeps the 400-s idle flows; an L4 proxy has no NAT table', () => {
    expect(run(idleClients('nat', '400s', '900s')).figures['err_econnreset.total'] ?? 0).toBe(0);
    expect(run(idleClients('l4', '400s')).figures['err_econnreset.total'] ?? 0).toBe(0);
  });

  it('"0s" is no timeout, as 0 is: no flow expires (it was a table forgetting every flow at its next packet)', () => {
    for (const never of ['0s', '0ms', 0] as const) {
      expect(ScenarioSchema.parse({ lb: { mode: 'nat', nat_idle_timeout: never } }).lb.nat_idle_timeout).toBe(Infinity);
    }
    const r = run(idleClients('nat', '30s', '0s'));
    expect(r.figures['err_econnreset.total'] ?? 0).toBe(0);
    expect(recordsOf(r, 'lb.nat_idle_expired')).toHaveLength(0);
  });

  it('nat_idle_timeout with a proxy is a scenario error', () => {
    const res = ScenarioSchema.safeParse({ lb: { mode: 'l4', nat_idle_timeout: '350s' } });
    expect(res.success).toBe(false);
    expect(res.error!.issues.map((i) => i.path.join('.'))).toContain('lb.nat_idle_timeout');
  });
});
