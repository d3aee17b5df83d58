/**
 * Real nginx 1.22.1 against the model's rules for a failure after the connect on one of several
 * addresses (calibration/nginx/next-upstream/run.sh, calibration/data/nginx-next-upstream.json):
 * `proxy_pass http://localhost:8080` (::1, 127.0.0.1), proxy_read_timeout 1s, an app on both
 * addresses — /slow answers after 1.5 s, /kill exits with the request read (restarted 0.3 s
 * later), / at once — and a fixed sequence of GETs and POSTs. Each request is replayed through
 * the model's own pieces (sim/model/proxy/upstream-peers.ts: WorkerPeers' round robin,
 * triesAfterFailure, sendsOn, finalStatus — ngx_http_upstream_next's rules) at nginx's request
 * times: the addresses tried ($upstream_addr), each try's status ($upstream_status), the status,
 * the time (2 read timeouts for a GET) and the copies the app read must be the recorded ones. Not
 * fitted: the rules are the source's; the app's behaviour per URI is the harness's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Ft,
  finalStatus,
  ngxTime,
  sendsOn,
  triesAfterFailure,
  WorkerPeers,
} from '../../../sim/model/proxy/upstream-peers.js';

interface Recorded {
  setup: string;
  access: Array<{
    msec: number;
    method: string;
    uri: string;
    status: number;
    upstream: string;
    upstreamStatus: string;
    requestTime: number;
  }>;
  error: string[];
  app: Array<{ ms: number; addr: string; method: string; url: string }>;
}

const READ_TIMEOUT_S = 1;

describe('next upstream after the connect against real nginx 1.22.1 (calibration/data/nginx-next-upstream.json)', () => {
  const data = JSON.parse(readFileSync('calibration/data/nginx-next-upstream.json', 'utf8')) as Recorded;
  const p = new WorkerPeers([
    { address: '[::1]:8080', listening: true },
    { address: '127.0.0.1:8080', listening: true },
  ]);
  const model = data.access.map((rec) => {
    const start = rec.msec - rec.requestTime;
    let now = start;
    let tries = 2;
    let tried = 0;
    let appDead = false;
    const addrs: string[] = [];
    const statuses: number[] = [];
    let copies = 0;
    for (;;) {
      const peer = p.get(tried, ngxTime(now));
      if (peer === null) {
        // NGX_BUSY: "no live upstreams", the state's peer is the upstream's name (ngx_http_upstream_connect).
        addrs.push('localhost');
        statuses.push(502);
        return { status: 502, addrs, statuses, copies, took: now - start };
      }
      tried |= 1 << peer.index;
      addrs.push(peer.addr.address);
      let ft: Ft;
      let sent: boolean;
      if (appDead) {
        // Refused: the connect fails, nothing sent.
        ft = Ft.ERROR;
        sent = false;
      } else {
        copies++;
        if (rec.uri === '/') {
          p.free(peer, false, ngxTime(now));
          statuses.push(200);
          return { status: 200, addrs, statuses, copies, took: now - start };
        }
        sent = true;
        if (rec.uri === '/slow') {
          now += READ_TIMEOUT_S;
          ft = Ft.TIMEOUT;
        } else {
          ft = Ft.ERROR;
          appDead = true;
        }
      }
      p.free(peer, true, ngxTime(now));
      tries = triesAfterFailure(tries, ft, false);
      statuses.push(finalStatus(ft));
      if (!sendsOn(tries, sent, rec.method))
        return { status: finalStatus(ft), addrs, statuses, copies, took: now - start };
    }
  });

  it("every request: the addresses tried, each try's status, the status", () => {
    expect(
      model.map((m) => ({ status: m.status, upstream: m.addrs.join(', '), upstreamStatus: m.statuses.join(', ') })),
    ).toEqual(data.access.map((a) => ({ status: a.status, upstream: a.upstream, upstreamStatus: a.upstreamStatus })));
  });

  it('a GET /slow takes two read timeouts, a POST /slow one (request_time within 50 ms)', () => {
    data.access.forEach((a, i) => {
      expect(Math.abs(a.requestTime - model[i].took)).toBeLessThan(0.05);
    });
    expect(data.access[0]).toMatchObject({ method: 'GET', uri: '/slow', status: 504 });
    expect(data.access[0].requestTime).toBeGreaterThan(2);
    expect(data.access[2]).toMatchObject({ method: 'POST', uri: '/slow', status: 504 });
    expect(data.access[2].requestTime).toBeLessThan(1.1);
  });

  it('the app read each request as many times as the model sends it', () => {
    const read = (method: string, url: string) => data.app.filter((x) => x.method === method && x.url === url).length;
    const sent = (method: string, uri: string) =>
      model.reduce((n, m, i) => n + (data.access[i].method === method && data.access[i].uri === uri ? m.copies : 0), 0);
    for (const [method, uri] of [
      ['GET', '/slow'],
      ['POST', '/slow'],
      ['GET', '/kill'],
      ['POST', '/kill'],
      ['GET', '/'],
    ])
      expect([method, uri, sent(method, uri)]).toEqual([method, uri, read(method, uri)]);
    expect(data.app.filter((x) => x.method === 'GET' && x.url === '/slow').map((x) => x.addr)).toEqual([
      '::1',
      '::ffff:127.0.0.1',
    ]);
  });

  it('error.log: a timeout or an error disables the address, a refused connect after the kill, no live upstreams', () => {
    const count = (s: string) => data.error.filter((l) => l.includes(s)).length;
    expect(count('upstream timed out (110')).toBe(3);
    expect(count('upstream prematurely closed connection')).toBe(2);
    expect(count('connect() failed (111: Connection refused)')).toBe(1);
    expect(count('upstream server temporarily disabled')).toBe(6);
    expect(count('no live upstreams')).toBe(model.filter((m) => m.addrs.includes('localhost')).length);
  });
});
