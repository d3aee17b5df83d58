import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { preferDoubleFields } from '../../sim/engine/double-fields.js';
import { Engine } from '../../sim/engine/engine.js';
import { Histogram } from '../../sim/metrics/histogram.js';
import { Conn, ConnKind, NO_RETRY_AFTER, NO_SESSION, newClientRecord, WsConn } from '../../sim/model/core/conn.js';
import { Req } from '../../sim/model/core/request.js';

// V8 natives: %HaveSameMap tells whether two objects share a hidden class; gc() a full collection.
v8.setFlagsFromString('--allow-natives-syntax');
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b);') as (a: object, b: object) => boolean;

describe('preferDoubleFields: records whose times and timer ids become fractions keep their map', () => {
  it('a Conn that has held fractional times, a timer id above 2^31 has a fresh Conn’s map', () => {
    // After a full collection: the generalised maps must survive it (they are held weakly).
    gc();
    for (const kind of [ConnKind.HTTP, ConnKind.WS]) {
      const fresh = newClientRecord(1, kind);
      const used = newClientRecord(2, kind);
      used.timer = 2 ** 40 + 3;
      // Every timer id of the record: ids pass 2^31 in a long run (generation × 2^24 + slot).
      used.requestTimer = 2 ** 40 + 5;
      used.upstreamReadTimer = 2 ** 40 + 7;
      used.waitingSince = 0.25;
      used.requestStartedAt = 0.5;
      used.serviceEnd = 1.75;
      used.lastActivity = 2.5;
      used.clientIp = 999_999;
      used.clientPort = 65_535;
      used.connectStartedAt = 0.125;
      if (kind === ConnKind.WS) {
        used.sessionStartedAt = 3.5;
        used.ageAtConnect = 7.25;
        used.tunnelSince = 1.5;
      }
      expect(sameMap(fresh, used)).toBe(true);
      // A Smi stored back into a double field keeps the map too.
      used.timer = -1;
      expect(sameMap(fresh, used)).toBe(true);
    }
  });

  it('an HTTP client record has no slots for the WebSocket session or the constant job fields, and reads their defaults', () => {
    const http = newClientRecord(1, ConnKind.HTTP);
    const ws = newClientRecord(2, ConnKind.WS);
    expect(http).toBeInstanceOf(Conn);
    expect(http).not.toBeInstanceOf(WsConn);
    expect(ws).toBeInstanceOf(WsConn);
    for (const field of [
      'sessionEndsAt',
      'retryAfter',
      'sessionStartedAt',
      'serverCloses',
      'ageAtConnect',
      'tunnelSince',
    ]) {
      expect(Object.hasOwn(http, field)).toBe(false);
      expect(Object.hasOwn(ws, field)).toBe(true);
    }
    expect([http.kind, ws.kind]).toEqual([ConnKind.HTTP, ConnKind.WS]);
    for (const field of ['kind', 'deep', 'fixedService', 'depTimeout', 'depTimeoutStatus']) {
      expect(Object.hasOwn(http, field)).toBe(false);
      expect(Object.hasOwn(ws, field)).toBe(false);
    }
    for (const rec of [http, ws]) {
      expect([rec.sessionEndsAt, rec.retryAfter, rec.sessionStartedAt, rec.serverCloses]).toEqual([
        Infinity,
        NO_RETRY_AFTER,
        NO_SESSION,
        0,
      ]);
      expect([rec.ageAtConnect, rec.tunnelSince]).toEqual([0, 0]);
      expect([rec.deep, rec.fixedService, rec.depTimeout, rec.depTimeoutStatus]).toEqual([true, -1, Infinity, 503]);
    }
  });

  it('a Req likewise', () => {
    gc();
    const fresh = new Req(() => {});
    const used = new Req(() => {});
    used.timer = 2 ** 33;
    used.clientTimer = 2 ** 33 + 1;
    used.serverTimer = 2 ** 33 + 2;
    used.serviceEnd = 0.75;
    used.firstSentAt = 0.5;
    used.connectStartedAt = 0.25;
    used.lastBackoff = 0.1;
    expect(sameMap(fresh, used)).toBe(true);
  });

  it('an engine whose clock has reached a fraction, and a histogram with a fractional sum, keep their maps', () => {
    gc();
    const fresh = new Engine(16);
    const used = new Engine(16);
    used.now = 0.3;
    expect(sameMap(fresh, used)).toBe(true);
    const h0 = new Histogram();
    const h1 = new Histogram();
    h1.record(0.123);
    expect(sameMap(h0, h1)).toBe(true);
  });

  it('fails loudly on a field that is not a number field (a renamed field)', () => {
    expect(() => preferDoubleFields({ timer: -1 }, ['timer', 'timr'])).toThrow(/no number field 'timr'/);
  });
});
