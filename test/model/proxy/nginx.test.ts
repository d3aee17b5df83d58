/** nginx's state machine and its own decisions, without a run. */
import { describe, expect, it } from 'vitest';
import { Nginx, type NginxGeneration, NginxState, requestCrossesFin } from '../../../sim/model/proxy/nginx.js';
import { NginxSchema } from '../../../sim/scenario/schema.js';

const nginx = (over: Record<string, unknown> = {}): Nginx => new Nginx(NginxSchema.parse(over));

describe('nginx', () => {
  it('goes LISTENING → QUITTING → STOPPED and starts afresh', () => {
    const n = nginx();
    expect([n.state, n.listening, n.running, n.quitting]).toEqual([NginxState.LISTENING, true, true, false]);
    const g = n.accept();
    n.quit(0);
    expect([n.state, n.listening, n.running, n.quitting]).toEqual([NginxState.QUITTING, false, true, true]);
    n.release(g); // the master exits after its last worker
    expect([n.state, n.listening, n.running, n.quitting]).toEqual([NginxState.STOPPED, false, false, true]);
    n.start();
    n.stop(); // the host vanished
    expect([n.state, n.listening, n.running, n.quitting]).toEqual([NginxState.STOPPED, false, false, false]);
    n.start();
    expect([n.state, n.quitting]).toEqual([NginxState.LISTENING, false]);
  });

  it('keeps a client connection alive until keepalive_requests, and never while quitting or with keep-alive off', () => {
    const n = nginx({ keepalive_requests: 3, keepalive_timeout: '75s' });
    expect(n.closesAfterResponse(2)).toBe(false);
    expect(n.closesAfterResponse(3)).toBe(true);
    n.quit(0);
    expect(n.closesAfterResponse(1)).toBe(true);
    expect(nginx({ keepalive_timeout: '0s' }).closesAfterResponse(1)).toBe(true);
  });

  it('keepalive_time (default 1h): closes after a request on a connection older than it, caches no upstream one older', () => {
    const n = nginx({ keepalive_requests: 100, upstream_keepalive: 4 });
    expect(n.closesAfterResponse(1, undefined, 3600)).toBe(false);
    expect(n.closesAfterResponse(1, undefined, 3600.001)).toBe(true);
    expect(n.cachesUpstream(1, undefined, 3600)).toBe(true);
    expect(n.cachesUpstream(1, undefined, 3600.001)).toBe(false);
    const short = nginx({ keepalive_time: '10s', upstream_keepalive: 4, upstream_keepalive_time: '5s' });
    expect(short.closesAfterResponse(1, undefined, 10.5)).toBe(true);
    expect(short.cachesUpstream(1, undefined, 5.5)).toBe(false);
  });

  it('closes an idle client connection whose next request comes at or after keepalive_timeout', () => {
    const n = nginx({ keepalive_timeout: '5s' });
    expect(n.closesIdle(4.9)).toBe(false);
    expect(n.closesIdle(5)).toBe(true);
  });

  it('caches an upstream connection only with keepalive on, under its request limit, and not while quitting', () => {
    expect(nginx({ upstream_keepalive: 0 }).cachesUpstream(0)).toBe(false);
    const n = nginx({ upstream_keepalive: 16, upstream_keepalive_requests: 100 });
    expect(n.cachesUpstream(99)).toBe(true);
    expect(n.cachesUpstream(100)).toBe(false);
    n.quit(0);
    expect(n.cachesUpstream(1)).toBe(false);
  });

  it('times out a WebSocket tunnel after proxy_read_timeout unless pings come more often', () => {
    const n = nginx({ proxy_read_timeout: '60s' });
    expect(n.tunnelIdleDeadline(100, Infinity)).toBe(160);
    expect(n.tunnelIdleDeadline(100, 90)).toBe(160);
    expect(n.tunnelIdleDeadline(100, 30)).toBe(Infinity);
  });

  it('reload swaps the settings for later decisions', () => {
    const n = nginx({ keepalive_timeout: '5s' });
    n.reload({ ...n.config, keepalive_timeout: 30 });
    expect(n.closesIdle(10)).toBe(false);
  });

  it('a reload starts a new generation for new connections; QUIT to the older ones lets each live while it holds connections', () => {
    const n = nginx({ keepalive_timeout: '5s' });
    const exits: number[] = [];
    n.onGenerationExit = (g: NginxGeneration) => exits.push(g.id);
    const g1 = n.accept();
    n.accept(); // a second connection of generation 1 (a tunnel)
    const g2 = n.reload({ ...n.config, keepalive_timeout: 30 }).id;
    expect(g2).toBeGreaterThan(g1);
    // worker_processes 1: the new worker's listener entry is at the head of the wait queue (no
    // EPOLLEXCLUSIVE: add_wait_queue), so it is woken first (accept-worker.test.ts).
    expect(n.accept()).toBe(g2);
    expect(n.closesIdle(10)).toBe(false); // the new generation's settings
    expect(n.exiting(g1)).toBe(false); // until the master's QUIT, 100 ms later
    expect(n.quitOlderThan(g2, 0.1).map((g) => g.id)).toEqual([g1]);
    expect([n.exiting(g1), n.exiting(g2), n.shuttingDown, n.listening]).toEqual([true, false, 1, true]);
    // A request in flight on generation 1 is answered with Connection: close; generation 2 keeps alive.
    expect(n.closesAfterResponse(1, g1)).toBe(true);
    expect(n.closesAfterResponse(1, g2)).toBe(false);
    expect(n.cachesUpstream(1, g1)).toBe(false);
    // A second reload piles up a second old generation; QUIT again to generation 1 is a no-op.
    const g3 = n.reload(n.config).id;
    expect(n.quitOlderThan(g3, 5).map((g) => g.id)).toEqual([g2]);
    expect(n.shuttingDown).toBe(2);
    expect(n.generationOf(g1)?.quitAt).toBe(0.1);
    n.release(g1);
    expect(exits).toEqual([]);
    n.release(g1); // its last connection
    expect(exits).toEqual([g1]);
    n.release(g2);
    expect([exits, n.shuttingDown, n.state]).toEqual([[g1, g2], 0, NginxState.LISTENING]);
  });

  it('a generation without connections exits at its QUIT; a quit ends in STOPPED after the last one', () => {
    const n = nginx();
    const exits: number[] = [];
    n.onGenerationExit = (g) => exits.push(g.id);
    const g1 = n.accept();
    const g2 = n.reload(n.config).id;
    n.quitOlderThan(g2, 0.1);
    expect(exits).toEqual([]);
    n.quit(1);
    expect(exits).toEqual([g2]); // the idle newest generation goes at once
    expect([n.state, n.listening]).toEqual([NginxState.QUITTING, false]);
    n.release(g1);
    expect([exits, n.state]).toEqual([[g2, g1], NginxState.STOPPED]);
  });

  it("keeps each generation's own configuration (worker_shutdown_timeout of the old cycle)", () => {
    const n = nginx({ worker_shutdown_timeout: '10s' });
    const g1 = n.generation;
    n.accept();
    const g2 = n.reload({ ...n.config, worker_shutdown_timeout: 0 }).id;
    const [old] = n.quitOlderThan(g2, 0);
    expect([old.id, old.config.worker_shutdown_timeout, n.config.worker_shutdown_timeout]).toEqual([g1, 10, 0]);
  });

  it('the keepalive race window is one round trip of think time just below keepalive_timeout', () => {
    const n = nginx({ keepalive_timeout: '5s' });
    const rtt = 0.04;
    expect(n.closesIdle(4.95, rtt)).toBe(false); // served: the request arrives before the timer
    expect(n.closesIdle(4.97, rtt)).toBe(true);
    // The response leaves nginx at 0, reaches the client at rtt/2 = 0.02; nginx closes at 5.
    const closeAt = 5;
    const sendAt = (think: number): number => rtt / 2 + think;
    expect(requestCrossesFin(sendAt(4.97), closeAt, rtt)).toBe(true); // sent before the FIN arrived at 5.02
    expect(requestCrossesFin(sendAt(4.999), closeAt, rtt)).toBe(true);
    expect(requestCrossesFin(sendAt(5), closeAt, rtt)).toBe(false); // the FIN arrived first: a new connection
    expect(requestCrossesFin(sendAt(5.5), closeAt, rtt)).toBe(false);
    // A QUIT's close: a client due to send within the FIN's one-way delay loses; later ones do not.
    expect(requestCrossesFin(10.015, 10, rtt)).toBe(true);
    expect(requestCrossesFin(10.025, 10, rtt)).toBe(false);
  });
});
