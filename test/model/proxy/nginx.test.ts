/** nginx's state machine and its own decisions, without a run. */
import { describe, expect, it } from 'vitest';
import { Nginx, NginxState } from '../../../sim/model/proxy/nginx.js';
import { NginxSchema } from '../../../sim/scenario/schema.js';

const nginx = (over: Record<string, unknown> = {}): Nginx => new Nginx(NginxSchema.parse(over));

describe('nginx', () => {
  it('goes LISTENING → QUITTING → STOPPED and starts afresh', () => {
    const n = nginx();
    expect([n.state, n.listening, n.running, n.quitting]).toEqual([NginxState.LISTENING, true, true, false]);
    n.quit();
    expect([n.state, n.listening, n.running, n.quitting]).toEqual([NginxState.QUITTING, false, true, true]);
    n.stop();
    expect([n.state, n.listening, n.running, n.quitting]).toEqual([NginxState.STOPPED, false, false, true]);
    n.start();
    expect([n.state, n.quitting]).toEqual([NginxState.LISTENING, false]);
  });

  it('keeps a client connection alive until keepalive_requests, and never while quitting or with keep-alive off', () => {
    const n = nginx({ keepalive_requests: 3, keepalive_timeout: '75s' });
    expect(n.closesAfterResponse(2)).toBe(false);
    expect(n.closesAfterResponse(3)).toBe(true);
    n.quit();
    expect(n.closesAfterResponse(1)).toBe(true);
    expect(nginx({ keepalive_timeout: '0s' }).closesAfterResponse(1)).toBe(true);
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
    n.quit();
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
});
