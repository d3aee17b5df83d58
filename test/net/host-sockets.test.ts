import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '../../sim/engine/mulberry32.js';
import { HostSockets, synTaken } from '../../sim/net/host-sockets.js';
import { ipv4, LINUX_DEFAULTS } from '../../sim/net/kernel-config.js';
import { testRng } from './kernel-test-rng.js';

const CLIENT = ipv4('10.0.0.2');
const SERVER = ipv4('10.0.0.1');
const LO = ipv4('127.0.0.1');

describe('HostSockets: TIME_WAIT per 4-tuple', () => {
  it('holds rate × 61.03 s at the plateau with tcp_tw_reuse=0, and drops only on 2.048-s slots', () => {
    const host = new HostSockets({ ...LINUX_DEFAULTS, twReuse: 0 }, testRng(11));
    const pair = host.connectPair(CLIENT, SERVER, 80);
    const counts: number[] = [];
    for (let k = 0; k < 100 * 150; k++) {
      const t = k / 100;
      const port = host.connect(pair, t);
      expect(port).toBeGreaterThan(0);
      host.close(pair, port, t + 0.001, true);
      if (k % 10 === 0 && t >= 90) {
        host.expire(t);
        counts.push(host.timeWaitCount);
      }
    }
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    expect(mean / (100 * 60)).toBeGreaterThan(1.005);
    expect(mean / (100 * 60)).toBeLessThan(1.03);
    // Sawtooth: between slot boundaries the count only grows; each batch removes ≈ 205.
    const drops = counts
      .slice(1)
      .map((c, k) => counts[k] - c)
      .filter((d) => d > 0);
    expect(drops.length).toBeGreaterThan(20);
    for (const d of drops) expect(d).toBeGreaterThan(150);
  });

  it('the TIME_WAIT queue is a ring of the next power of two above the slots it has held, not twice that', () => {
    // 100 closes a second into TIME_WAIT: ~6,100 held at the plateau, a ring of 8,192 slots. A queue
    // whose live slots moved to its start when its end was reached had to hold them and the closes
    // until the next move: it doubled to 16,384 slots, every page of them written (issue 14).
    const host = new HostSockets({ ...LINUX_DEFAULTS, twReuse: 0 }, testRng(11));
    const pair = host.connectPair(CLIENT, SERVER, 80);
    let held = 0;
    for (let k = 0; k < 100 * 200; k++) {
      const t = k / 100;
      host.close(pair, host.connect(pair, t), t + 0.001, true);
      held = Math.max(held, host.timeWaitQueueLength);
    }
    expect(held).toBeGreaterThan(6000);
    expect(host.timeWaitQueueCapacity).toBe(2 ** Math.ceil(Math.log2(held)));
  });

  it('tcp_max_tw_buckets caps TIME_WAIT; the excess closes at once', () => {
    const host = new HostSockets({ ...LINUX_DEFAULTS, twReuse: 0, maxTwBuckets: 500 }, testRng(12));
    const pair = host.connectPair(CLIENT, SERVER, 80);
    for (let k = 0; k < 2000; k++) host.close(pair, host.connect(pair, k / 100), k / 100, true);
    expect(host.timeWaitCount).toBe(500);
    expect(host.timeWaitOverflows).toBe(1500);
  });

  it('FIN_WAIT2 timewait socks count against tcp_max_tw_buckets too (inet_twsk_alloc: the death row’s tw_refcount)', () => {
    const host = new HostSockets({ ...LINUX_DEFAULTS, twReuse: 0, maxTwBuckets: 500 }, testRng(12));
    const pair = host.connectPair(CLIENT, SERVER, 80);
    // 100 sockets closed by their process with the peer's answer still to come (nginx's upstream
    // sockets at proxy_read_timeout): timewait socks in their FIN_WAIT2 substate, held.
    for (let k = 0; k < 100; k++) {
      const port = host.connect(pair, k / 1000);
      expect(port).toBeGreaterThan(0);
      expect(host.finWait2Held(pair, port, k / 1000)).toBe(true);
    }
    // 2,000 closes into TIME_WAIT within 20 s (none expires): 400 places left, not 500.
    for (let k = 0; k < 2000; k++) host.close(pair, host.connect(pair, 1 + k / 100), 1 + k / 100, true);
    expect(host.timeWaitCount).toBe(400);
    expect(host.timeWaitOverflows).toBe(1600);
    expect(host.finWait2Count).toBe(100);
    // sockstat's `inuse` counts full sockets only: the FIN_WAIT2 timewait socks are in `tw`, not there.
    expect(host.openCount).toBe(0);
  });

  it('with a small range and tcp_tw_reuse=0, connect() fails once every 4-tuple is in TIME_WAIT', () => {
    const host = new HostSockets({ ...LINUX_DEFAULTS, twReuse: 0, portLow: 50000, portHigh: 50999 }, testRng(13));
    const pair = host.connectPair(LO, LO, 8080);
    let firstFailure = -1;
    for (let k = 0; k < 200 * 20 && firstFailure < 0; k++) {
      const t = k / 200;
      const port = host.connect(pair, t);
      if (port < 0) firstFailure = t;
      else host.close(pair, port, t, true);
    }
    expect(firstFailure).toBeCloseTo(5, 1); // 1,000 ports at 200/s
  });

  it('tcp_tw_reuse=2 takes over a loopback TIME_WAIT after tcp_tw_reuse_delay, never a remote one', () => {
    for (const [local, remote, reused] of [
      [LO, LO, true],
      [CLIENT, SERVER, false],
    ] as const) {
      const host = new HostSockets({ ...LINUX_DEFAULTS, portLow: 50000, portHigh: 50001 }, testRng(14));
      const pair = host.connectPair(local, remote, 8080);
      const a = host.connect(pair, 0);
      const b = host.connect(pair, 0);
      host.close(pair, a, 0, true);
      host.close(pair, b, 0, true);
      expect(host.connect(pair, 0.5)).toBe(-1); // within the 1 s delay
      expect(host.connect(pair, 1.01) >= 0).toBe(reused);
      expect(host.timeWaitReused).toBe(reused ? 1 : 0);
    }
  });

  it('a TIME_WAIT taken over or reopened is not expired by its old queue slot, even in TIME_WAIT again', () => {
    // A takeover opens the new socket in the TIME_WAIT's own entry, and a reopened one is the same
    // entry: the earlier TIME_WAIT's queue slot must be dead, so the entry back in TIME_WAIT later
    // lasts its own 60 s, not ending when that slot fires.
    const host = new HostSockets({ ...LINUX_DEFAULTS, portLow: 50000, portHigh: 50001 }, testRng(16));
    const pair = host.connectPair(LO, LO, 8080);
    const a = host.connect(pair, 0);
    const b = host.connect(pair, 0);
    host.close(pair, a, 0, true);
    host.close(pair, b, 0, true);
    const c = host.connect(pair, 1.01); // takes over a or b's TIME_WAIT (tcp_tw_reuse=2 on loopback)
    expect(host.timeWaitReused).toBe(1);
    host.close(pair, c, 10, true);
    expect(host.stateOf(pair, a === c ? b : a, 65)).toBe('none');
    expect(host.stateOf(pair, c, 65)).toBe('time-wait');
    expect(host.timeWaitCount).toBe(1);
    expect(host.stateOf(pair, c, 75)).toBe('none');

    const server = new HostSockets(LINUX_DEFAULTS, testRng(17));
    const accepting = server.acceptPair(SERVER, 80, CLIENT);
    server.acceptSyn(accepting, 40000, 0, 0);
    server.close(accepting, 40000, 0, true, true, 0);
    expect(server.acceptSyn(accepting, 40000, 3, 3000)).toBe('reopened-time-wait');
    server.close(accepting, 40000, 10, true, true, 10000);
    expect(server.stateOf(accepting, 40000, 65)).toBe('time-wait');
    expect(server.stateOf(accepting, 40000, 75)).toBe('none');
  });

  it('every port is open, in TIME_WAIT until its own timer fires, or free, through queue moves and takeovers', () => {
    // A reference kept per port against the host, over thousands of connects on 200 loopback
    // ports (takeovers after tcp_tw_reuse_delay, the TIME_WAIT queue's ring wrapped around and grown
    // many times): a takeover that killed another TIME_WAIT's queue slot, or expiry that missed one,
    // shows as a port in the wrong state.
    const host = new HostSockets({ ...LINUX_DEFAULTS, portLow: 50000, portHigh: 50199 }, testRng(18));
    const pair = host.connectPair(LO, LO, 8080);
    const drive = new Mulberry32(19);
    const ref = new Map<number, { open: boolean; firesAt: number }>();
    const open: number[] = [];
    let takeovers = 0;
    for (let k = 0; k < 20000; k++) {
      const t = k * 0.01;
      for (const [port, s] of ref) if (!s.open && s.firesAt <= t) ref.delete(port);
      const port = host.connect(pair, t);
      if (port >= 0) {
        const before = ref.get(port);
        expect(before?.open ?? false).toBe(false);
        if (before !== undefined) takeovers++;
        ref.set(port, { open: true, firesAt: 0 });
        open.push(port);
      }
      while (open.length > 0 && (open.length > 60 || drive.next() < 0.5)) {
        const closed = open.splice(Math.floor(drive.next() * open.length), 1)[0];
        host.close(pair, closed, t, true);
        ref.set(closed, { open: false, firesAt: host.clock.timerFiresAt(t, 60) });
      }
      if (k % 97 === 0) {
        for (let p = 50000; p <= 50199; p++) {
          const s = ref.get(p);
          expect(host.stateOf(pair, p, t)).toBe(s === undefined ? 'none' : s.open ? 'open' : 'time-wait');
        }
        expect(host.timeWaitCount).toBe([...ref.values()].filter((s) => !s.open).length);
      }
    }
    expect(takeovers).toBeGreaterThan(1000);
    expect(host.timeWaitReused).toBe(takeovers);
  });

  it('12,000 sockets at once (the TIME_WAIT ring grown past 4,000 slots): each one open, in TIME_WAIT or free', () => {
    // 4,000 closes into TIME_WAIT at once double the queue's ring from 4 slots to 4,096, each
    // doubling moving every live slot and the index in its socket's word (host-sockets.ts growQueue).
    const host = new HostSockets(LINUX_DEFAULTS, testRng(21));
    const pair = host.connectPair(CLIENT, SERVER, 80);
    const ports: number[] = [];
    for (let k = 0; k < 12000; k++) ports.push(host.connect(pair, 0));
    expect(new Set(ports).size).toBe(12000);
    ports.forEach((port, k) => {
      if (k % 3 !== 2) host.close(pair, port, 1, k % 3 === 0);
    });
    const expected = (k: number) => (k % 3 === 0 ? 'time-wait' : k % 3 === 1 ? 'none' : 'open');
    ports.forEach((port, k) => expect(host.stateOf(pair, port, 1)).toBe(expected(k)));
    expect(host.timeWaitCount).toBe(4000);
    // After the TIME_WAITs expire, 6,000 more sockets take entries freed on every page.
    const more: number[] = [];
    for (let k = 0; k < 6000; k++) more.push(host.connect(pair, 70));
    expect(host.timeWaitCount).toBe(0);
    ports.forEach((port, k) => {
      if (k % 3 === 2) expect(host.stateOf(pair, port, 70)).toBe('open');
    });
    for (const port of more) expect(host.stateOf(pair, port, 70)).toBe('open');
    expect(host.socketsOf(pair, 70)).toBe(10000);
  });

  it('TIME_WAITs queued while the ring grows are found through their words: reopened ones outlive expiry', () => {
    // A TIME_WAIT's word holds its queue slot's index (host-sockets.ts WORD_SHIFT). Three earlier
    // TIME_WAITs have expired, so the queue's numbering starts at 3 and wraps in the first 4-slot
    // ring; 1,000 closes then double it to 1,024 slots, each doubling moving the live slots to new
    // indexes, and each reopening SYN kills its TIME_WAIT's slot through the word. A word left
    // with its old index kills another slot: that TIME_WAIT would then expire and remove its
    // port's open socket, or a TIME_WAIT outlive its own slot.
    const server = new HostSockets(LINUX_DEFAULTS, testRng(22));
    const accepting = server.acceptPair(SERVER, 80, CLIENT);
    for (const port of [30000, 30001, 30002]) {
      expect(server.acceptSyn(accepting, port, 0, 0)).toBe('new');
      server.close(accepting, port, 0.5, true, true, 500);
    }
    expect(server.socketsOf(accepting, 70)).toBe(0);
    const ports = Array.from({ length: 1000 }, (_, k) => 40000 + k);
    for (const port of ports) expect(server.acceptSyn(accepting, port, 70, 70000)).toBe('new');
    for (const port of ports) server.close(accepting, port, 71, true, true, 71000);
    expect(server.timeWaitQueueCapacity).toBe(1024);
    for (const port of ports.filter((_, k) => k % 2 === 0))
      expect(server.acceptSyn(accepting, port, 72, 72000)).toBe('reopened-time-wait');
    expect(server.timeWaitCount).toBe(500);
    ports.forEach((port, k) => expect(server.stateOf(accepting, port, 72)).toBe(k % 2 === 0 ? 'open' : 'time-wait'));
    ports.forEach((port, k) => expect(server.stateOf(accepting, port, 140)).toBe(k % 2 === 0 ? 'open' : 'none'));
    expect(server.timeWaitCount).toBe(0);
    expect(server.socketsOf(accepting, 140)).toBe(500);
  });

  it('a SYN with a newer TSval reopens the server-side TIME_WAIT of its 4-tuple; an older one gets the RST that kills it', () => {
    const server = new HostSockets(LINUX_DEFAULTS, testRng(15));
    const accepting = server.acceptPair(SERVER, 80, CLIENT);
    expect(server.acceptSyn(accepting, 40000, 0, 1000)).toBe('new');
    server.close(accepting, 40000, 1, true, true, 2000); // server closes first: server holds TIME_WAIT
    expect(server.stateOf(accepting, 40000, 2)).toBe('time-wait');
    // Older TSval: PAWS refuses it, the TIME_WAIT's ACK draws the sender's RST, which kills it
    // (tcp_rfc1337 0: HostSockets.resetTimeWait); its SYN again finds the 4-tuple free.
    expect(server.acceptSyn(accepting, 40000, 2, 1500)).toBe('reset-time-wait');
    expect(server.timeWaitCount).toBe(0);
    expect(server.acceptSyn(accepting, 40000, 2.01, 1510)).toBe('new');
    server.close(accepting, 40000, 2.5, true, true, 2500);
    expect(server.acceptSyn(accepting, 40000, 3, 3000)).toBe('reopened-time-wait');
    expect(server.timeWaitCount).toBe(0);
    expect(server.stateOf(accepting, 40000, 3)).toBe('open');
  });

  it('bind(addr, 0) picks a random port of the other parity in the lower half, skipping used ports', () => {
    const host = new HostSockets(LINUX_DEFAULTS, testRng(16));
    const ports = new Set<number>();
    for (let k = 0; k < 2000; k++) {
      const port = host.bindAny(LO, k * 0.01);
      expect(port % 2).toBe(1);
      expect(port).toBeLessThan(32768 + 14116);
      ports.add(port);
    }
    expect(ports.size).toBe(2000); // every bound port stays in use: never handed out twice
  });

  it('connect() skips a port bound by bind() even towards another destination', () => {
    const host = new HostSockets({ ...LINUX_DEFAULTS, portLow: 50000, portHigh: 50003 }, testRng(17));
    const bound = host.bindAny(LO, 0);
    const pair = host.connectPair(LO, LO, 9000);
    const got = [host.connect(pair, 0), host.connect(pair, 0), host.connect(pair, 0), host.connect(pair, 0)];
    expect(got).not.toContain(bound);
    expect(got.filter((p) => p < 0)).toHaveLength(1);
  });
});

describe('HostSockets: a bound connection closed', () => {
  it('gives its port back to connect() (its bind bucket goes), an unbound one leaves bound ports alone', () => {
    // A socket from bind() + connect() keeps its port's bind bucket (inet_csk_get_port) until it
    // is closed: connect()'s __inet_hash_connect skips the port while any bucket holds it
    // (fastreuse ≥ 0), then may pick it again (calibration/kernel-twins.mjs drives this path).
    const host = new HostSockets({ ...LINUX_DEFAULTS, portLow: 50000, portHigh: 50001 }, testRng(18));
    const pair = host.connectPair(LO, LO, 9000);
    const bound = host.bindAny(LO, 0);
    expect(host.connectBound(pair, bound, 0)).toBe(true);
    const other = host.connect(pair, 0);
    expect(other).toBeGreaterThanOrEqual(0);
    expect(other).not.toBe(bound);
    expect(host.connect(pair, 0)).toBe(-1);
    // Closed without TIME_WAIT (reset): the port is free for any connect() again.
    host.close(pair, bound, 1, false);
    expect(host.connect(pair, 1)).toBe(bound);
    // The unbound one's close must not release a bucket it never held (the port stays usable once).
    host.close(pair, other, 2, false);
    host.close(pair, bound, 2, false);
    const again = [host.connect(pair, 2), host.connect(pair, 2)];
    expect(again.sort()).toEqual([bound, other].sort());
  });
});

describe('HostSockets: a bound connection closed into TIME_WAIT', () => {
  it('keeps its port bound through TIME_WAIT and gives it back when the TIME_WAIT ends', () => {
    // The timewait sock takes over the socket's bind bucket (inet_twsk_bind_hashdance,
    // net/ipv4/inet_timewait_sock.c) and lets it go when it dies (inet_twsk_kill →
    // inet_twsk_bind_unhash): the port's BOUND flag goes with the TIME_WAIT in its word.
    const host = new HostSockets({ ...LINUX_DEFAULTS, portLow: 50000, portHigh: 50001 }, testRng(18));
    const pair = host.connectPair(LO, LO, 9000);
    const bound = host.bindAny(LO, 0);
    expect(host.connectBound(pair, bound, 0)).toBe(true);
    host.close(pair, bound, 1, true);
    expect(host.stateOf(pair, bound, 1)).toBe('time-wait');
    // Meanwhile bind() cannot have it.
    const meanwhile = host.bindAny(LO, 2);
    expect(meanwhile).toBeGreaterThanOrEqual(0);
    expect(meanwhile).not.toBe(bound);
    host.unbind(meanwhile);
    // 60 s and up to one 2.048-s timer-wheel slot later it is gone, and so is its bind bucket:
    // connect() may take both ports again.
    expect(host.stateOf(pair, bound, 64)).toBe('none');
    const both = [host.connect(pair, 64), host.connect(pair, 64)];
    expect(both.sort()).toEqual([50000, 50001]);
  });
});

describe('HostSockets: closeBothEnds', () => {
  it('leaves what close() of the connecting end, then of the accepting end, leaves', () => {
    // nginx → app on one VM: both ends are this host's; either closes first, or neither (abort),
    // a small range and tcp_max_tw_buckets so takeovers, reopens and overflows all happen.
    const config = { ...LINUX_DEFAULTS, twReuse: 2 as const, portLow: 40000, portHigh: 40299, maxTwBuckets: 40 };
    const one = new HostSockets(config, testRng(31));
    const both = new HostSockets(config, testRng(31));
    const pairs = (h: HostSockets) => [h.connectPair(LO, LO, 8080), h.acceptPair(LO, 8080, LO)] as const;
    const [c1, a1] = pairs(one);
    const [c2, a2] = pairs(both);
    const rng = new Mulberry32(5);
    const open: number[] = [];
    for (let k = 0; k < 20000; k++) {
      const t = k / 100;
      if (open.length < 150 && rng.next() < 0.55) {
        const p1 = one.connect(c1, t);
        expect(both.connect(c2, t)).toBe(p1);
        if (p1 < 0) continue;
        const syn = one.acceptSyn(a1, p1, t, Math.floor(t * 1000));
        expect(both.acceptSyn(a2, p1, t, Math.floor(t * 1000))).toBe(syn);
        if (!synTaken(syn)) {
          one.close(c1, p1, t, false);
          both.close(c2, p1, t, false);
        } else open.push(p1);
      } else if (open.length > 0) {
        const port = open.splice(Math.floor(rng.next() * open.length), 1)[0];
        const u = rng.next();
        const [connecting, accepting] = u < 0.45 ? [true, false] : u < 0.9 ? [false, true] : [false, false];
        one.close(c1, port, t, connecting);
        one.close(a1, port, t, accepting);
        both.closeBothEnds(c2, a2, port, t, connecting, accepting);
      }
      expect([both.socketsOf(c2, t), both.socketsOf(a2, t)]).toEqual([one.socketsOf(c1, t), one.socketsOf(a1, t)]);
      expect([
        both.openCount,
        both.timeWaitCount,
        both.timeWaitOverflows,
        both.timeWaitReused,
        both.timeWaitReopened,
      ]).toEqual([one.openCount, one.timeWaitCount, one.timeWaitOverflows, one.timeWaitReused, one.timeWaitReopened]);
    }
    expect(one.timeWaitReused).toBeGreaterThan(0);
    expect(one.timeWaitReopened).toBeGreaterThan(0);
    expect(one.timeWaitOverflows).toBeGreaterThan(0);
  });
});
