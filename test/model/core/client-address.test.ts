/**
 * A client keeps its source address for its life (world.ts assignTuple): one browser, device or
 * pod is one address, and behind a NAT one inner client maps to one outer address
 * (find_best_ips_proto(), net/netfilter/nf_nat_core.c). So under `balance source` (get_server_sh(),
 * src/backend.c) a keep-alive client whose server left comes back to it when it is up again, and
 * every reconnect leaves from the same client machine.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, startModel } from '../../../sim/run-scenario.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';

/** Each connect of each client: its address and the backend that accepted it, and when. */
interface Connect {
  ip: number;
  backend: number;
  at: number;
}

/**
 * Keep-alive clients over four servers behind an L4 `balance source`: each idles past its own
 * idle_timeout between requests, so it reconnects (and is balanced again) for every request.
 * vm-a is in maintenance from 10 s to 20 s.
 */
function connectsByClient(): Map<number, Connect[]> {
  const input = {
    seed: 7,
    warmup: '0s',
    horizon: '40s',
    clients: {
      rtt: '10ms',
      http: {
        arrival_rate: 4,
        requests_per_connection: 'const(30)',
        think_time: 'const(1s)',
        idle_timeout: '500ms',
      },
    },
    app: { workers: 16, service_time: 'const(5ms)' },
    lb: { mode: 'l4', balance: 'source' },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }, { name: 'vm-d' }],
    timeline: [
      { at: '10s', do: 'set_server', backend: 'vm-a', state: 'maint' },
      { at: '20s', do: 'set_server', backend: 'vm-a', state: 'ready' },
    ],
  } as ScenarioInput;
  const model = buildModel(ScenarioSchema.parse(input));
  const { world } = model;
  const byClient = new Map<number, Connect[]>();
  const accepted = world.onAccepted;
  world.onAccepted = (conn, b) => {
    const list = byClient.get(conn.id) ?? [];
    list.push({ ip: conn.clientIp, backend: b, at: world.now });
    byClient.set(conn.id, list);
    accepted(conn, b);
  };
  startModel(model);
  world.engine.run(40);
  return byClient;
}

describe('a client keeps its address for its life', () => {
  let clients: Connect[][] = [];
  beforeAll(() => {
    clients = [...connectsByClient().values()];
  });

  it('every reconnect of a client comes from one address (one client machine)', () => {
    const reconnecting = clients.filter((c) => c.length >= 10);
    expect(reconnecting.length).toBeGreaterThan(50);
    for (const c of reconnecting) expect(new Set(c.map((x) => x.ip)).size).toBe(1);
    // …and the clients are spread over many addresses, not one.
    expect(new Set(clients.map((c) => c[0].ip)).size).toBeGreaterThan(50);
  });

  it('with balance source, a client of vm-a leaves it in maintenance and comes back when it is ready', () => {
    // Clients connected to vm-a before 10 s and still reconnecting after 21 s.
    const ofA = clients.filter((c) => c.some((x) => x.at < 10 && x.backend === 0) && c.some((x) => x.at > 21));
    expect(ofA.length).toBeGreaterThan(5);
    for (const c of ofA) {
      const during = c.filter((x) => x.at > 11 && x.at < 20);
      const after = c.filter((x) => x.at > 21);
      expect(during.length).toBeGreaterThan(0);
      expect(during.every((x) => x.backend !== 0)).toBe(true);
      // A new address at each connect sent it back to vm-a only one time in four.
      expect(after.every((x) => x.backend === 0)).toBe(true);
    }
  });
});
