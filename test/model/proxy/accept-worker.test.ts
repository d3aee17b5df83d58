/**
 * Which nginx worker accepts a connection (proxy/listen-wait-queue.ts ListenWaitQueue.pick,
 * proxy/nginx.ts Nginx.acceptingWorker). Without `reuseport` the workers share one listening socket
 * and wait on it with EPOLLEXCLUSIVE: the kernel wakes the first worker in the socket's wait queue
 * that is idle in epoll_wait (fs/eventpoll.c ep_poll_callback, kernel/sched/wait.c
 * __wake_up_common), and nginx moves a worker to the queue's tail (EPOLL_CTL_DEL + EPOLL_CTL_ADD:
 * add_wait_queue_exclusive appends) at its 1st, 17th, 33rd … accept, or at every accept while it
 * has fewer than worker_connections/8 free (ngx_reorder_accept_events, src/event/ngx_event_accept.c).
 * With `reuseport` the kernel picks by the 4-tuple hash (net/core/sock_reuseport.c).
 */
import { describe, expect, it } from 'vitest';
import { ConnKind, newClientRecord } from '../../../sim/model/core/conn.js';
import { Nginx, spreadOver } from '../../../sim/model/proxy/nginx.js';
import { NginxSchema } from '../../../sim/scenario/schema.js';
import { type Listener, sharedListener } from './listen-fixture.js';

const picks = (w: Listener, n: number, disabled?: (k: number) => boolean): string =>
  Array.from({ length: n }, (_, i) => w.accept(i, disabled)).join('');

describe('one listening socket, idle workers (EPOLLEXCLUSIVE + ngx_reorder_accept_events)', () => {
  it('two workers: 1, 1, then 16 each in turn', () => {
    expect(picks(sharedListener(2), 50)).toBe(`01${'0'.repeat(16)}${'1'.repeat(16)}${'0'.repeat(16)}`);
  });

  it('the recorded splits: 24 connections 17 / 7 (holdout3 workers2-keepalive3), 40 connections 23 / 17 (holdout4 wc64-burst-workers2)', () => {
    const split = (n: number): number[] =>
      [0, 1].map((k) => [...picks(sharedListener(2), n)].filter((p) => p === `${k}`).length);
    expect(split(24)).toEqual([17, 7]);
    expect(split(40)).toEqual([23, 17]);
  });

  it('four workers: each first accept sends its worker to the tail, then blocks of 16', () => {
    expect(picks(sharedListener(4), 20)).toBe(`0123${'0'.repeat(16)}`);
  });

  it('a worker busy on its CPU is passed over: the next idle one in the queue accepts', () => {
    const w = sharedListener(2);
    expect(w.accept(0)).toBe(0); // queue now 1, 0
    expect(w.accept(0)).toBe(1); // queue now 0, 1
    w.cpu.run(0, 1, 0); // worker 0 works until t = 1
    expect(w.accept(0.5)).toBe(1);
    expect(w.accept(1)).toBe(0); // back in epoll_wait, first in the queue
  });

  it('with fewer than worker_connections/8 free (ngx_accept_disabled > 0) a worker goes to the tail at every accept', () => {
    const full = (k: number): boolean => k === 0;
    // Worker 0 short of connections: every accept it makes sends it behind worker 1, so they alternate
    // while worker 1 (not short) keeps its place for 16 accepts once it leads.
    expect(picks(sharedListener(2), 6, full)).toBe('010111');
    expect(picks(sharedListener(2), 6, () => true)).toBe('010101');
  });

  it('a worker that refuses (no free connection, none reusable) keeps its place: every accept goes to it', () => {
    // ngx_event_accept (src/event/ngx_event_accept.c): ngx_get_connection returns NULL ("worker_connections
    // are not enough"), the socket is closed and the function returns before ngx_reorder_accept_events.
    // Worker 0 fills up during its block of 16 (WebSocket tunnels that cannot be reclaimed); after
    // worker 1's block it is first in the queue and stays there, refusing, though worker 1 has room.
    const w = sharedListener(2);
    let t = 0;
    const order = Array.from({ length: 18 + 16 }, () => w.accept(t++)).join('');
    expect(order).toBe(`01${'0'.repeat(16)}${'1'.repeat(16)}`);
    const full = (k: number): boolean => k === 0;
    const after = Array.from({ length: 40 }, () => w.accept(t++, full, full)).join('');
    // The old rule (moved to the tail at each refused accept, being short of connections) alternated: 0101…
    expect(after).toBe('0'.repeat(40));
  });
});

describe('Nginx.acceptingWorker', () => {
  const config = (over: Record<string, unknown>) => NginxSchema.parse(over);
  const conn = (port: number) => {
    const c = newClientRecord(port, ConnKind.HTTP);
    c.clientPort = port;
    return c;
  };

  it('reuseport: the 4-tuple hash, whatever the order', () => {
    const nginx = new Nginx(config({ worker_processes: 2, reuseport: true }));
    const g = nginx.generations[0];
    for (let port = 40000; port < 40020; port++) {
      const c = conn(port);
      expect(nginx.acceptingWorker(g, c, 0)).toBe(spreadOver(2, c.clientIp, port));
    }
  });

  it('one listening socket: the wait queue; the connection keeps the worker that accepted it', () => {
    const nginx = new Nginx(config({ worker_processes: 2 }));
    const workers = Array.from({ length: 4 }, (_, i) => {
      const c = conn(40000 + i);
      nginx.accept(c, i, false);
      return c.nginxWorker;
    });
    expect(workers).toEqual([0, 1, 0, 0]);
  });

  it('fewer than worker_connections/8 free: reordered at every accept', () => {
    const nginx = new Nginx(config({ worker_processes: 2, worker_connections: 64 }));
    nginx.freeConnections = (_gen, worker) => (worker === 0 ? 7 : 8); // 64/8 = 8: worker 0 is short
    const workers = Array.from({ length: 6 }, (_, i) => {
      const c = conn(40000 + i);
      nginx.accept(c, i, false);
      return c.nginxWorker;
    });
    expect(workers).toEqual([0, 1, 0, 1, 1, 1]);
  });

  it('a full worker (refusesAccept) is woken for every new connection: ngx_event_accept returns before the re-add', () => {
    const nginx = new Nginx(config({ worker_processes: 2, worker_connections: 64 }));
    let full = false;
    nginx.freeConnections = (_gen, worker) => (full && worker === 0 ? 0 : 60);
    nginx.refusesAccept = (_gen, worker) => full && worker === 0;
    const workers = Array.from({ length: 60 }, (_, i) => {
      if (i === 18) full = true; // worker 0's tunnels fill it during its first block of 16
      const c = conn(40000 + i);
      nginx.accept(c, i, false);
      return c.nginxWorker;
    });
    expect(workers.join('')).toBe(`01${'0'.repeat(16)}${'1'.repeat(16)}${'0'.repeat(26)}`);
  });

  it('a reload: the new workers register on the same listening socket behind the old ones, which take new connections until their QUIT', () => {
    // Before (nginx18) the new generation had a wait queue of its own and took every new connection
    // at once. But the master keeps the listening socket and the new cycle inherits it: the new
    // workers' add_wait_queue_exclusive puts them behind the old workers, which leave only when the
    // master QUITs them RELOAD_QUIT_DELAY later (ngx_master_process_cycle: ngx_msleep(100), then
    // ngx_signal_worker_processes; ngx_close_listening_sockets in the old worker's ngx_quit path).
    const nginx = new Nginx(config({ worker_processes: 2 }));
    const old = [conn(40000), conn(40001)];
    for (const c of old) c.nginxGen = nginx.accept(c, 0, false);
    expect(old.map((c) => c.nginxWorker)).toEqual([0, 1]); // queue now: 1/0, 1/1
    const g2 = nginx.reload({ ...nginx.config, worker_processes: 3 }).id; // queue: 1/0, 1/1, 2/0, 2/1, 2/2
    const accepted = (from: number, n: number, t: number) =>
      Array.from({ length: n }, (_, i) => {
        const c = conn(from + i);
        c.nginxGen = nginx.accept(c, t, false);
        return [c.nginxGen, c.nginxWorker];
      });
    // Within the 100 ms, the old worker 0 (first in the queue) takes its block of 16.
    expect(accepted(41000, 3, 0.05)).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    // The master QUITs generation 1: its workers leave the queue, the new ones take over (1, 1, 1, then 16).
    nginx.quitOlderThan(g2, 0.1);
    expect(accepted(42000, 4, 0.1)).toEqual([
      [2, 0],
      [2, 1],
      [2, 2],
      [2, 0],
    ]);
    expect(old.map((c) => [c.nginxGen, c.nginxWorker])).toEqual([
      [1, 0],
      [1, 1],
    ]);
    expect(nginx.generationOf(1)?.open).toBe(5);
  });

  it('a reload with worker_processes 1: the new worker is first in the wake order at once, and no reorder', () => {
    // ngx_event_process_init adds the listener WITHOUT EPOLLEXCLUSIVE when worker_processes == 1, so
    // ep_ptable_queue_proc's add_wait_queue puts the new worker's entry at the queue's HEAD
    // (include/linux/wait.h __add_wait_queue), and ngx_reorder_accept_events returns at once
    // (!ngx_use_exclusive_accept). The recording nginx-holdout4-reload2-wst2-busy-tunnel-rt (1 worker):
    // clients reconnecting inside the 100 ms before the old worker's QUIT were served by the new one.
    // Before: the old worker stayed first and took 16 of every 32 connections (its accept count % 16).
    const nginx = new Nginx(config({ worker_processes: 1 }));
    for (let i = 0; i < 5; i++) nginx.accept(conn(40000 + i), 0, false);
    nginx.reload(nginx.config);
    const gens = Array.from({ length: 40 }, (_, i) => nginx.accept(conn(41000 + i), 0.05 + i * 0.001, false));
    expect(gens.join('')).toBe('2'.repeat(40));
    expect(nginx.generationOf(1)?.open).toBe(5);
  });

  it('a reload with worker_processes 1: an old worker idle while the new one is busy takes the connection', () => {
    const nginx = new Nginx(config({ worker_processes: 1 }));
    const g2 = nginx.reload(nginx.config);
    g2.cpu.run(0, 1, 0); // the new worker works until t = 1
    const c = conn(40000);
    expect(nginx.accept(c, 0.05, false)).toBe(1);
    expect(nginx.accept(conn(40001), 1, false)).toBe(2);
  });

  it('TLS in nginx after a reload: the generation the queue would wake now (the old one until its QUIT)', () => {
    const nginx = new Nginx(config({ worker_processes: 2 }));
    nginx.reload(nginx.config);
    const c = conn(40000);
    expect(nginx.accept(c, 0.05, true)).toBe(1);
    expect(c.nginxWorker).toBe(0);
    nginx.quitOlderThan(2, 0.1);
    expect(nginx.accept(conn(40001), 0.1, true)).toBe(2);
  });

  it('TLS in nginx: no worker at the accept (its handshake picks it, worker-cpu.ts admit)', () => {
    const nginx = new Nginx(config({ worker_processes: 2 }));
    const c = conn(40000);
    c.nginxWorker = 1;
    nginx.accept(c, 0, true);
    expect(c.nginxWorker).toBe(0);
    expect(nginx.generations[0].open).toBe(1);
  });
});
