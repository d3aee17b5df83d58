/**
 * One worker's round robin over an implicit upstream's peers (nginx 1.22.1
 * src/http/ngx_http_upstream_round_robin.c ngx_http_upstream_get_peer /
 * ngx_http_upstream_free_round_robin_peer): a failed peer is skipped while `now - checked <=
 * fail_timeout`, comes back with effective weight 0 (so after two more picks of the other), and
 * an answer then makes it live again (`fails = 0` when `accessed < checked`) — without that reset it
 * would be skipped again for fail_timeout from the pick that re-checked it.
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

const addrs = [
  { address: '127.0.0.1', listening: true },
  { address: '::1', listening: true },
];

/** The addresses a request at each second gets (one try each, `ok` says how it ends). */
function picks(p: WorkerPeers, seconds: number[], ok: (addr: string, s: number) => boolean): string[] {
  return seconds.map((s) => {
    const peer = p.get(0, s)!;
    p.free(peer, !ok(peer.addr.address, s), s);
    return peer.addr.address;
  });
}

describe('WorkerPeers (ngx_http_upstream_get_peer / free_round_robin_peer)', () => {
  it('alternates, skips a failed peer through fail_timeout, and takes it back once it answers', () => {
    const p = new WorkerPeers(addrs);
    // ::1 fails at second 1 only.
    const got = picks(p, [0, 1, 2, 11, 12, 13, 14, 15, 16, 17], (a, s) => !(a === '::1' && s === 1));
    expect(got).toEqual([
      '127.0.0.1',
      '::1', // fails: skipped while now - 1 <= 10
      '127.0.0.1',
      '127.0.0.1', // second 11: still within
      '127.0.0.1', // 12: ::1 weighed again at effective weight 0
      '127.0.0.1', // 13: weight 1, a tie: the first address
      '::1', // 14: answers — live again (fails = 0)
      '127.0.0.1',
      '::1', // 16: not skipped though checked at 14
      '127.0.0.1',
    ]);
  });

  it('every peer down: null (no live upstreams) until fail_timeout passes', () => {
    const p = new WorkerPeers(addrs);
    for (const peer of [p.get(0, 5)!, p.get(0, 5)!]) p.free(peer, true, 5);
    expect(p.get(0, 5)).toBeNull();
    expect(p.get(0, 15)).toBeNull();
    expect(p.get(0, 16)).not.toBeNull();
    // A peer tried already in the request is not offered again.
    const fresh = new WorkerPeers(addrs);
    expect(fresh.get(0b11, 0)).toBeNull();
    expect(fresh.get(0b01, 0)!.addr.address).toBe('::1');
  });
});

describe('a peer past fail_timeout is probed by one request at a time (mutation audit round 10)', () => {
  it('the pick that finds the window over re-checks the peer (`best->checked = now`): skipped by others until it answers', () => {
    const p = new WorkerPeers(addrs);
    const first = p.get(0, 0)!;
    p.free(first, true, 0);
    // Second 11: the window is over. Ten picks with none freed (requests in flight): the failed
    // peer is taken once, and its re-check at 11 makes the others skip it (`now - checked <= fail_timeout`).
    const got = Array.from({ length: 10 }, () => p.get(0, 11)!);
    expect(got.filter((x) => x === first)).toHaveLength(1);
    // Its answer marks it live (`accessed < checked`: fails = 0).
    p.free(first, false, 11);
    expect(first.fails).toBe(0);
  });
});

describe('ngx_http_upstream_next: the tries left and whether the request moves on (mutation audit round 10)', () => {
  it('a failed try costs one; an error on a cached connection gives it back, a timeout there does not', () => {
    // ngx_http_upstream_free_round_robin_peer: pc->tries--; then `if (u->peer.cached && ft_type == NGX_HTTP_UPSTREAM_FT_ERROR) u->peer.tries++`.
    expect(triesAfterFailure(2, Ft.ERROR, false)).toBe(1);
    expect(triesAfterFailure(2, Ft.ERROR, true)).toBe(2);
    expect(triesAfterFailure(2, Ft.TIMEOUT, true)).toBe(1);
    expect(triesAfterFailure(1, Ft.TIMEOUT, false)).toBe(0);
    expect(triesAfterFailure(0, Ft.ERROR, false)).toBe(0); // `if (pc->tries) pc->tries--`
  });

  it('POST, LOCK and PATCH already sent are non-idempotent (not in the default proxy_next_upstream); before the send they move on', () => {
    for (const method of ['POST', 'LOCK', 'PATCH']) {
      expect(sendsOn(1, true, method)).toBe(false);
      expect(sendsOn(1, false, method)).toBe(true);
    }
    expect(sendsOn(1, true, 'GET')).toBe(true);
    expect(sendsOn(0, false, 'GET')).toBe(false);
    expect(finalStatus(Ft.TIMEOUT)).toBe(504);
    expect(finalStatus(Ft.ERROR)).toBe(502);
  });
});

interface Recorded {
  runs: Array<{
    name: string;
    app: string;
    killedAfter: number;
    access: Array<{ msec: number; status: number; upstream: string }>;
    error: string[];
  }>;
}

/**
 * Real nginx 1.22.1, `proxy_pass http://localhost:8080` with localhost → ::1, 127.0.0.1
 * (calibration/nginx/implicit-upstream/run.sh, calibration/data/nginx-implicit-upstream.json): each
 * request's tried addresses ($upstream_addr) and status, replayed through the model's round robin
 * at nginx's own request times ($msec). Not fitted: the rules are the source's.
 */
describe('WorkerPeers against real nginx 1.22.1 (calibration/data/nginx-implicit-upstream.json)', () => {
  const data = JSON.parse(readFileSync('calibration/data/nginx-implicit-upstream.json', 'utf8')) as Recorded;
  for (const rec of data.runs)
    it(`${rec.name}: the app on ${rec.app}${rec.killedAfter > 0 ? `, killed after request ${rec.killedAfter}` : ''} — every request's addresses and status`, () => {
      const p = new WorkerPeers([
        { address: '[::1]:8080', listening: rec.app === '::' },
        { address: '127.0.0.1:8080', listening: true },
      ]);
      const model = rec.access.map(({ msec }, i) => {
        const s = ngxTime(msec);
        const up = rec.killedAfter === 0 || i < rec.killedAfter;
        let tried = 0;
        const got: string[] = [];
        for (let tries = 2; tries > 0; ) {
          const peer = p.get(tried, s);
          // NGX_BUSY: $upstream_addr is the upstream's name.
          if (peer === null) {
            if (got.length === 0) got.push('localhost');
            return { msec, status: 502, upstream: got.join(', ') };
          }
          tried |= 1 << peer.index;
          got.push(peer.addr.address);
          const refused = !up || !peer.addr.listening;
          p.free(peer, refused, s);
          if (!refused) return { msec, status: 200, upstream: got.join(', ') };
          tries--;
        }
        return { msec, status: 502, upstream: got.join(', ') };
      });
      expect(model).toEqual(rec.access);
      const refusedInLog = rec.error.filter((l) => l.includes('connect() failed (111: Connection refused)')).length;
      expect(
        model.reduce(
          (n, r) => n + r.upstream.split(', ').filter((u) => u !== 'localhost').length - (r.status === 200 ? 1 : 0),
          0,
        ),
      ).toBe(refusedInLog);
      expect(rec.error.filter((l) => l.includes('no live upstreams')).length).toBe(
        model.filter((r) => r.upstream === 'localhost').length,
      );
    });
});
