/**
 * `nginx -s reload` with `listen … reuseport` (proxy/listen-sockets.ts ListenSockets). nginx 1.22.1:
 * ngx_clone_listening (src/core/ngx_connection.c, from ngx_event_init_conf) gives the cycle one
 * listening entry per worker, `ls->worker = 0 … worker_processes − 1`; ngx_init_cycle
 * (src/core/ngx_cycle.c) matches each new entry, in order, with the first unmatched old entry of
 * the same address and inherits its fd, so new worker k waits on old worker k's socket (both until
 * the old one's QUIT); an old entry left over is closed by the master but stays open in the old
 * workers (forked with every fd of their cycle) until their ngx_close_listening_sockets at QUIT,
 * and the kernel keeps hashing SYNs over it (net/core/sock_reuseport.c reuseport_select_sock over
 * `socks[]`; reuseport_detach_sock at its last close). A reuseport listener is added to the
 * worker's epoll WITHOUT EPOLLEXCLUSIVE (ngx_event_process_init, src/event/ngx_event.c:
 * `ngx_add_event(rev, NGX_READ_EVENT, 0)`): the new worker's entry goes to the HEAD of the socket's
 * wait queue (fs/eventpoll.c ep_ptable_queue_proc → add_wait_queue).
 * Before this model, a reuseport nginx gave every connection to the newest generation, hashed
 * over its own worker count, from the reload on.
 */
import { describe, expect, it } from 'vitest';
import { ConnKind, newClientRecord } from '../../../sim/model/core/conn.js';
import { Nginx, spreadOver } from '../../../sim/model/proxy/nginx.js';
import { buildModel, startModel } from '../../../sim/run-scenario.js';
import { NginxSchema, type ScenarioInput } from '../../../sim/scenario/schema.js';
import { scenario } from '../helpers.js';

const config = (over: Record<string, unknown>) => NginxSchema.parse(over);

const conn = (port: number) => {
  const c = newClientRecord(port, ConnKind.HTTP);
  c.clientIp = 7;
  c.clientPort = port;
  return c;
};

/** [generation, worker] of the connection from `port` accepted at `now`. */
const accepted = (nginx: Nginx, port: number, now: number, tls = false): [number, number] => {
  const c = conn(port);
  c.nginxGen = nginx.accept(c, now, tls);
  return [c.nginxGen, c.nginxWorker];
};

const PORTS = Array.from({ length: 40 }, (_, i) => 41000 + i);

describe('reload with reuseport', () => {
  it('same worker count: new worker k, first on the socket it inherited from old worker k, takes what hashes there', () => {
    const nginx = new Nginx(config({ worker_processes: 2, reuseport: true }));
    nginx.reload(nginx.config);
    for (const port of PORTS) expect(accepted(nginx, port, 0.05)).toEqual([2, spreadOver(2, 7, port)]);
  });

  it('same worker count: while new worker k is busy, old worker k (on the same socket, idle) accepts until its QUIT', () => {
    const nginx = new Nginx(config({ worker_processes: 2, reuseport: true }));
    const g2 = nginx.reload(nginx.config);
    g2.cpu.run(1, 1, 0); // new worker 1 works until t = 1 (a TLS handshake queue, worker-cpu.ts)
    const to1 = PORTS.filter((p) => spreadOver(2, 7, p) === 1);
    const to0 = PORTS.filter((p) => spreadOver(2, 7, p) === 0);
    expect(to1.length).toBeGreaterThan(5);
    // The old code gave these to generation 2 whatever its workers did.
    for (const port of to1) expect(accepted(nginx, port, 0.05)).toEqual([1, 1]);
    for (const port of to0) expect(accepted(nginx, port, 0.05)).toEqual([2, 0]);
    nginx.quitOlderThan(g2.id, 0.1);
    // Old worker 1 left the socket: the busy new one is the only worker waiting on it.
    for (const port of to1) expect(accepted(nginx, port, 0.1)).toEqual([2, 1]);
  });

  it('4 → 2 workers: until the QUIT the kernel hashes over 4 sockets and old workers 2 and 3 accept theirs; then over 2', () => {
    const nginx = new Nginx(config({ worker_processes: 4, reuseport: true }));
    const g2 = nginx.reload({ ...nginx.config, worker_processes: 2 });
    const window = PORTS.map((port) => accepted(nginx, port, 0.05));
    const expected = PORTS.map((port): [number, number] => {
      const k = spreadOver(4, 7, port);
      return k < 2 ? [2, k] : [1, k];
    });
    expect(window).toEqual(expected);
    const old = window.filter(([gen]) => gen === 1).length;
    // About half (the old code: none; generation 2 took all 40, hashed over its 2 workers).
    expect(old).toBeGreaterThan(10);
    expect(old).toBeLessThan(30);
    nginx.quitOlderThan(g2.id, 0.1);
    // Sockets 2 and 3 closed with the old workers (reuseport_detach_sock): sockets 0 and 1 keep their slots.
    for (const port of PORTS) expect(accepted(nginx, port, 0.1)).toEqual([2, spreadOver(2, 7, port)]);
  });

  it('2 → 4 workers: the new sockets join the group at the reload, the hash spreads over 4 at once', () => {
    const nginx = new Nginx(config({ worker_processes: 2, reuseport: true }));
    nginx.reload({ ...nginx.config, worker_processes: 4 });
    for (const port of PORTS) expect(accepted(nginx, port, 0.05)).toEqual([2, spreadOver(4, 7, port)]);
  });

  it('reuseport on → off: worker 0’s socket becomes the shared one; until the QUIT the old workers take what hashes to theirs', () => {
    // ngx_init_cycle: the new single entry inherits old ls[0] (still SO_REUSEPORT, still in the
    // group); old ls[1] closes with the old workers. On socket 0 old worker 0's plain entry is at
    // the head, ahead of the new workers' EPOLLEXCLUSIVE ones: the first idle, it accepts.
    const nginx = new Nginx(config({ worker_processes: 2, reuseport: true }));
    const g2 = nginx.reload({ ...nginx.config, reuseport: false });
    for (const port of PORTS) expect(accepted(nginx, port, 0.05)).toEqual([1, spreadOver(2, 7, port)]);
    nginx.quitOlderThan(g2.id, 0.1);
    // One shared socket: the new workers' wait queue (1, 1, then 16 each).
    const after = PORTS.slice(0, 4).map((port) => accepted(nginx, port, 0.1));
    expect(after).toEqual([
      [2, 0],
      [2, 1],
      [2, 0],
      [2, 0],
    ]);
  });

  it('reuseport off → on: the shared socket gets SO_REUSEPORT and becomes new worker 0’s (add_reuseport)', () => {
    const nginx = new Nginx(config({ worker_processes: 2 }));
    nginx.reload({ ...nginx.config, reuseport: true });
    // Socket 0: new worker 0's plain entry at the head, ahead of the old workers' exclusive ones.
    for (const port of PORTS) expect(accepted(nginx, port, 0.05)).toEqual([2, spreadOver(2, 7, port)]);
  });

  it('TLS in nginx, 4 → 2 workers: the generation at the SYN is the one waiting on the hashed socket, the worker at the admit its own', () => {
    const nginx = new Nginx(config({ worker_processes: 4, reuseport: true }));
    nginx.reload({ ...nginx.config, worker_processes: 2 });
    const port = PORTS.find((p) => spreadOver(4, 7, p) === 3)!;
    const c = conn(port);
    c.nginxGen = nginx.accept(c, 0.05, true);
    expect(c.nginxGen).toBe(1);
    expect(nginx.acceptingWorker(nginx.generationOf(1)!, c, 0.06)).toBe(3);
  });
});

describe('a run: reuseport, `set` worker_processes 4 → 2 under connect load', () => {
  // 400 new connections a second, one request each; the reload at 5 s, the old workers' QUIT at 5.1 s.
  const input = {
    start: '00:00:00',
    warmup: '0s',
    horizon: '6s',
    clients: { rtt: '0.1ms', http: { arrival_rate: 400, requests_per_connection: 'const(1)', retries: 0 } },
    app: { workers: 1000, service_time: 'const(5ms)' },
    nginx: { worker_processes: 4, reuseport: true },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '5s', do: 'set', nginx: { worker_processes: 2 } }],
  } as ScenarioInput;

  it('in the 100 ms before the QUIT about half the new connections go to the old generation (old code: none)', () => {
    const model = buildModel(scenario(input));
    const byGen = new Map<number, number>();
    const accepted = model.world.onAccepted;
    model.world.onAccepted = (c, b) => {
      accepted(c, b);
      const t = model.world.now;
      if (t > 5 && t < 5.1) byGen.set(c.nginxGen, (byGen.get(c.nginxGen) ?? 0) + 1);
    };
    startModel(model);
    model.world.engine.run(6);
    const old = byGen.get(1) ?? 0;
    const all = old + (byGen.get(2) ?? 0);
    expect(all).toBeGreaterThan(20);
    expect(old / all).toBeGreaterThan(0.25);
    expect(old / all).toBeLessThan(0.75);
  });
});
