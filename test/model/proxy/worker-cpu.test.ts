/** nginx's workers as CPU queues when TLS ends in nginx (sim/model/proxy/worker-cpu.ts). */
import { describe, expect, it } from 'vitest';
import { Nginx } from '../../../sim/model/proxy/nginx.js';
import { HaproxyThreads, NginxWorkers } from '../../../sim/model/proxy/worker-queues.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { run, scenario } from '../helpers.js';
import { sharedListener } from './listen-fixture.js';
import { tlsStorm } from './tls-storm-fixture.js';

const HS = 0.00035;

describe('NginxWorkers: which worker accepts (EPOLLEXCLUSIVE) and what waits (one event loop each)', () => {
  it('the first idle worker in the wait queue accepts; while it works the next one does', () => {
    const w = sharedListener(4);
    expect(w.accept(0)).toBe(0);
    w.cpu.run(0, HS, 0);
    expect(w.accept(0)).toBe(1);
    w.cpu.run(1, HS, 0);
    expect(w.accept(0)).toBe(2);
    // Each first accept moved its worker to the queue's tail (ngx_reorder_accept_events): 3, 0, 1, 2.
    expect(w.accept(HS)).toBe(3); // its 1st accept: to the tail too (0, 1, 2, 3)
    expect(w.accept(HS)).toBe(0); // worker 0's 2nd accept: it stays first
    expect(w.accept(HS)).toBe(0);
  });

  it('with every worker busy, the one whose queue ends first accepts', () => {
    const w = sharedListener(3);
    w.cpu.run(0, 3 * HS, 0);
    w.cpu.run(1, HS, 0);
    w.cpu.run(2, 2 * HS, 0);
    expect(w.accept(0)).toBe(1);
  });

  it('is a FIFO queue: an event waits for the work queued before it, not for work queued after', () => {
    const w = new NginxWorkers();
    for (let i = 0; i < 10; i++) w.run(0, HS, 0);
    expect(w.wait(0, 0)).toBeCloseTo(10 * HS, 12);
    expect(w.queued(0, 0)).toBe(10);
    expect(w.wait(0, 4 * HS)).toBeCloseTo(6 * HS, 12);
    expect(w.wait(1, 0)).toBe(0);
    // Work queued on an idle worker starts now, not when it was last busy.
    expect(w.run(0, HS, 1)).toBeCloseTo(1 + HS, 12);
  });

  it('a request on an established connection waits for the handshake in progress and one more, not the queue', () => {
    // ngx_event_accept accepts one connection per event-loop iteration (multi_accept off): the
    // iteration runs the handshake in progress, then the ClientHello accepted just before, then the request.
    const w = new NginxWorkers();
    for (let i = 0; i < 10; i++) w.run(0, HS, 0);
    expect(w.readWait(0, 0)).toBeCloseTo(2 * HS, 12);
    expect(w.readWait(0, 4.5 * HS)).toBeCloseTo(1.5 * HS, 12);
    // The last queued handshake: only its rest.
    expect(w.readWait(0, 9.25 * HS)).toBeCloseTo(0.75 * HS, 12);
    expect(w.readWait(0, 10 * HS)).toBe(0);
    expect(w.readWait(1, 0)).toBe(0);
  });

  it('counts handshakes of different costs (full and resumed) by when each ends, not by dividing', () => {
    const w = new NginxWorkers();
    // A full handshake, a resumed one costing a quarter, a full one: back to back from t = 0.
    w.run(0, HS, 0);
    w.run(0, HS / 4, 0);
    w.run(0, HS, 0);
    expect(w.queued(0, 0)).toBe(3);
    expect(w.notAccepted(0)).toBe(1);
    // The one in progress and the one accepted before it: up to the resumed one's end.
    expect(w.readWait(0, 0)).toBeCloseTo(1.25 * HS, 12);
    expect(w.readWait(0, 1.1 * HS)).toBeCloseTo(1.15 * HS, 12);
    expect(w.queued(0, 1.1 * HS)).toBe(2);
    expect(w.endingBy(0, 1.1 * HS, 0.15 * HS)).toBe(1);
    expect(w.endingBy(0, 1.1 * HS, 1.2 * HS)).toBe(2);
    // Idle again: a new queue of one cost.
    expect(w.run(0, HS, 1)).toBeCloseTo(1 + HS, 12);
    expect(w.readWait(0, 1)).toBeCloseTo(HS, 12);
  });

  it('is idle before any work, also at the negative times of a warmup', () => {
    const w = new NginxWorkers();
    expect(w.wait(0, -120)).toBe(0);
    expect(w.run(0, HS, -120)).toBeCloseTo(-120 + HS, 9);
    const listener = sharedListener(2);
    listener.cpu.run(0, HS, -120);
    expect(listener.accept(-120)).toBe(1);
  });
});

/**
 * The storm of tls-storm-fixture.ts (4,000 new TLS connections a second on one VM) with nginx's
 * listen backlog (and somaxconn) above it, so the whole storm queues for the workers: what these
 * tests measure. With the default 511 the kernel drops the SYNs beyond it (listen-backlog.test.ts).
 */
const storm = (wsRate: number, workers: number, terminates: 'nginx' | 'none' = 'nginx'): ScenarioInput =>
  tlsStorm({ wsRate, workers, terminates, nginx: { listen_backlog: 65535 }, kernel: { somaxconn: 65535 } });

const latencyMax = (input: ScenarioInput): number => run(input, 1).figures['request_latency.max']!;

describe('a TLS handshake storm on one VM', () => {
  it('with one worker, new connections queue behind the handshakes; established ones wait ≤ 2 handshakes', () => {
    const calmRun = run(storm(0, 1), 1).figures;
    const calm = calmRun['request_latency.max']!;
    const stormy = run(storm(4000, 1), 1);
    // 4,000 × 0.35 ms = 1.4 s of work a second: ~0.4 s more backlog every second, ~3–4 s by the
    // end, which a new connection's first request (1 in 20 here) waits for its own handshake.
    expect(stormy.figures['request_latency.max']!).toBeGreaterThan(2);
    expect(calm).toBeLessThan(0.1);
    // The other 19 in 20 are on established connections: only the handshake in progress and the
    // one accepted before them (ngx_event_accept: one accept per iteration), ≤ 0.7 ms more.
    expect(stormy.figures['request_latency.p50']!).toBeLessThan(calmRun['request_latency.p50']! + 2 * HS + 0.002);
    const late = stormy.events.filter((l) => l.record.kind === 'nginx.worker_tls_backlog');
    expect(late.length).toBeGreaterThan(0);
  });

  it('two workers absorb the same storm (2 × 2,860 handshakes/s > 4,000/s)', () => {
    expect(latencyMax(storm(4000, 2))).toBeLessThan(0.1);
  });

  it('TLS ending elsewhere costs nginx nothing: the storm does not delay the requests', () => {
    expect(latencyMax(storm(4000, 1, 'none'))).toBeLessThan(0.1);
  });

  it('a request that would wait past request_timeout times out at the client', () => {
    const input = storm(4000, 1);
    input.clients!.http!.request_timeout = '2s';
    const r = run(input, 1);
    expect(r.figures['err_client_timeout.total']!).toBeGreaterThan(0);
    // None is answered much later than the timeout: the client's own timer (armed at its write,
    // clients/http-keepalive.ts) ends the wait; a request's latency also counts its connection's
    // handshake (one rtt, 30 ms) and the response's way back, so at most 2 s + 2 × rtt.
    expect(r.figures['request_latency.max']!).toBeLessThan(2.06);
    expect(
      r.events.some(
        (l) => l.record.kind === 'nginx.worker_tls_backlog' && (l.record as { timedOut: boolean }).timedOut,
      ),
    ).toBe(true);
  });
});

describe('HaproxyThreads: listener_accept() two running indexes, fewer connections wins', () => {
  it('round-robins short connections and never misses an idle thread', () => {
    const t = new HaproxyThreads(4);
    const picks = [t.pick(), t.pick(), t.pick(), t.pick()];
    expect([...picks].sort()).toEqual([0, 1, 2, 3]);
    // Every thread holds one: release thread 2's, and the next connection goes there.
    t.release(2);
    const next = [t.pick(), t.pick(), t.pick()];
    expect(next).toContain(2);
    expect(t.connections(2)).toBe(1);
  });

  it('sends new connections to the thread with fewer long-lived ones', () => {
    const t = new HaproxyThreads(2);
    for (let i = 0; i < 10; i++) t.pick();
    expect(t.connections(0) + t.connections(1)).toBe(10);
    expect(Math.abs(t.connections(0) - t.connections(1))).toBeLessThanOrEqual(1);
    for (let i = 0; i < 5; i++) if (t.connections(1) > 0) t.release(1);
    expect(t.pick()).toBe(1);
    expect(t.pick()).toBe(1);
  });
});

describe('a TLS handshake storm at the balancer (terminates: lb, lb.nbthread)', () => {
  const atLb = (nbthread: number | undefined): ScenarioInput => {
    const input = storm(4000, 1, 'none');
    input.app!.tls = { terminates: 'lb' };
    input.lb = nbthread === undefined ? {} : { nbthread };
    return input;
  };

  it('one thread: the requests wait behind the handshakes, logged by the balancer', () => {
    const r = run(atLb(1), 1);
    expect(r.figures['request_latency.max']!).toBeGreaterThan(2);
    expect(r.events.some((l) => l.record.kind === 'lb.thread_tls_backlog')).toBe(true);
    expect(r.events.some((l) => l.record.kind === 'nginx.worker_tls_backlog')).toBe(false);
  });

  it('two threads absorb it; without nbthread the balancer has no CPU model', () => {
    expect(latencyMax(atLb(2))).toBeLessThan(0.1);
    expect(latencyMax(atLb(undefined))).toBeLessThan(0.1);
  });
});

describe('lb.nbthread in a scenario', () => {
  it('needs lb.mode l4: a precise scenario error otherwise', () => {
    for (const mode of ['l7', 'nat'] as const) {
      const r = ScenarioSchema.safeParse({ lb: { mode, nbthread: 2 }, backends: [{ name: 'vm-a' }] });
      expect(r.success).toBe(false);
      const issue = r.error!.issues.find((i) => i.path.join('.') === 'lb.nbthread');
      expect(issue?.message).toContain('needs lb.mode: l4');
    }
    expect(ScenarioSchema.safeParse({ lb: { nbthread: 2 }, backends: [{ name: 'vm-a' }] }).success).toBe(true);
  });
});

describe("each nginx generation's own workers", () => {
  it("a reload's new workers start idle; the old ones keep their queue; a new process starts afresh", () => {
    const config = scenario({ nginx: { worker_processes: 1 }, backends: [{ name: 'vm-a' }] }).nginx;
    const nginx = new Nginx(config);
    const old = nginx.generationOf(nginx.accept())!;
    old.cpu.run(0, 1, 0);
    const fresh = nginx.reload(config);
    expect(nginx.generationOf(nginx.accept())).toBe(fresh);
    expect(fresh.cpu.wait(0, 0)).toBe(0);
    expect(old.cpu.wait(0, 0)).toBe(1);
    nginx.stop();
    expect(nginx.generations[0].cpu.wait(0, 0)).toBe(0);
  });
});
