/**
 * A client record's memory (issue 14: peak RSS at drain 100k, ~100k records live). Each own field
 * of a Conn is 8 bytes of every record, each double field 16 more (its heap number), so the count
 * of own fields is the memory per connection; the fields most runs never set live in a ConnRare
 * (conn-rare.ts) made only when one of them is written another value than its default, and the
 * times and timer ids in the record's row of a shared Float64Array page (time-rows.ts), 8 bytes each,
 * and its per-connection small integers in the same row as int32s, 4 bytes each.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { drainScenario, writeScenario } from '../../../bench/bench-scenarios.js';
import { ReqPhase } from '../../../sim/model/core/app-job.js';
import { Conn, ConnKind, newClientRecord, WsConn } from '../../../sim/model/core/conn.js';
import { LbFlow } from '../../../sim/model/core/flow.js';
import { TcpState } from '../../../sim/net/tcp.js';
import { buildModel, startModel } from '../../../sim/run-scenario.js';
import { loadScenarioForCli, namedScenario } from '../../../sim/scenario/load-for-run.js';

/** The record's ConnRare (a private field): null while every rare field has its default. */
const rareOf = (conn: Conn): unknown => (conn as unknown as { rare: unknown }).rare;

describe('client record footprint', () => {
  it('an HTTP client record has at most 17 own fields (42 before the rare fields left it, 34 before its row of times, 27 before its four small states shared one, 24 before its row held its eight per-connection integers)', () => {
    expect(Object.keys(new Conn(0)).length).toBeLessThanOrEqual(17);
    // A WebSocket record adds its session's seven fields (kindSlot among them), no more.
    expect(Object.keys(new WsConn(0)).length - Object.keys(new Conn(0)).length).toBeLessThanOrEqual(7);
  });

  it('reads the defaults without a ConnRare; a default written makes none, another value makes one', () => {
    const conn = newClientRecord(1, ConnKind.HTTP);
    expect([conn.status, conn.attempt, conn.nginxWorker, conn.lbThread, conn.synAttempt]).toEqual([200, 0, 0, -1, 0]);
    expect([conn.stream, conn.lbSeenAt, conn.lastBackoff, conn.kindSlot]).toEqual([null, 0, 0, -1]);
    conn.status = 200;
    conn.attempt = 0;
    conn.lbThread = -1;
    conn.stream = null;
    conn.lastBackoff = 0;
    expect(rareOf(conn)).toBeNull();
    conn.lastBackoff = 0.25;
    expect(rareOf(conn)).not.toBeNull();
    expect(conn.lastBackoff).toBe(0.25);
    conn.status = 503;
    conn.synAttempt = 2;
    expect([conn.status, conn.synAttempt, conn.attempt, conn.lbThread]).toEqual([503, 2, 0, -1]);
    conn.lastBackoff = 0;
    expect(conn.lastBackoff).toBe(0);
  });

  it('a record that holds fractional times and timer ids past 2^31 has no own field that is not a small integer, a pointer or a boolean', () => {
    for (const kind of [ConnKind.HTTP, ConnKind.WS]) {
      const conn = newClientRecord(3, kind);
      const other = newClientRecord(4, kind);
      conn.timer = 2 ** 40 + 3;
      conn.requestTimer = 2 ** 40 + 5;
      conn.upstreamReadTimer = 2 ** 40 + 7;
      conn.waitingSince = 0.25;
      conn.requestStartedAt = 0.5;
      conn.serviceEnd = 1.75;
      conn.lastActivity = 2.5;
      conn.connectStartedAt = 0.125;
      conn.nginxIdleSince = 3.375;
      // The WebSocket session's own times stay fields of a WsConn (conn.ts).
      const sessionTimes = new Set(['sessionStartedAt', 'ageAtConnect', 'tunnelSince', 'sessionEndsAt']);
      const boxed = Object.entries(conn).filter(
        ([name, v]) => typeof v === 'number' && !sessionTimes.has(name) && (v | 0) !== v,
      );
      expect(boxed).toEqual([]);
      expect([conn.timer, conn.requestTimer, conn.upstreamReadTimer, conn.waitingSince]).toEqual([
        2 ** 40 + 3,
        2 ** 40 + 5,
        2 ** 40 + 7,
        0.25,
      ]);
      expect([conn.requestStartedAt, conn.serviceEnd, conn.lastActivity, conn.connectStartedAt]).toEqual([
        0.5, 1.75, 2.5, 0.125,
      ]);
      expect(conn.nginxIdleSince).toBe(3.375);
      // Another record's row is its own.
      expect([other.timer, other.waitingSince, other.nginxIdleSince]).toEqual([-1, Number.NEGATIVE_INFINITY, 0]);
    }
  });

  it("the row's eight small integers and nine times are each record's own: written in many records of one page, each reads back what was written to it", () => {
    const records = Array.from({ length: 40 }, (_, i) =>
      newClientRecord(100 + i, i % 3 === 0 ? ConnKind.WS : ConnKind.HTTP),
    );
    const ints = (c: Conn) => [
      c.clientIp,
      c.clientPort,
      c.clientPair,
      c.serverPair,
      c.serverPort,
      c.vmSlot,
      c.nginxGen,
    ];
    const times = (c: Conn) => [c.timer, c.requestTimer, c.upstreamReadTimer, c.waitingSince, c.nginxIdleSince];
    expect(ints(records[7]!)).toEqual([-1, 0, -1, 0, 0, -1, 0]);
    expect(records[7]!.lbPort).toBe(-1);
    records.forEach((c, i) => {
      c.clientIp = 999_999 - i;
      c.clientPort = 65535 - i;
      c.clientPair = 2 ** 30 + i;
      c.serverPair = i;
      c.serverPort = 1024 + i;
      c.vmSlot = -1 + i;
      c.nginxGen = 7 * i;
      c.holdLbPort(i, 60000 + i);
      c.timer = 2 ** 40 + i;
      c.requestTimer = -1;
      c.upstreamReadTimer = 2 ** 52 + i;
      c.waitingSince = i + 0.125;
      c.nginxIdleSince = -i - 0.5;
    });
    records.forEach((c, i) => {
      expect(ints(c)).toEqual([999_999 - i, 65535 - i, 2 ** 30 + i, i, 1024 + i, -1 + i, 7 * i]);
      expect([c.lbPair, c.lbPort]).toEqual([i, 60000 + i]);
      expect(times(c)).toEqual([2 ** 40 + i, -1, 2 ** 52 + i, i + 0.125, -i - 0.5]);
    });
  });

  it('the two TCP states, the request phase and the balancer entry share one field: each round-trips, the others kept', () => {
    const conn = newClientRecord(5, ConnKind.HTTP);
    const read = () => [conn.clientTcp, conn.serverTcp, conn.phase, conn.lbFlow];
    expect(read()).toEqual([TcpState.CLOSED, TcpState.CLOSED, ReqPhase.NONE, LbFlow.NONE]);
    const tcp = Object.values(TcpState);
    const phases = Object.values(ReqPhase);
    const flows = Object.values(LbFlow);
    let k = 0;
    for (const c of tcp)
      for (const s of tcp)
        for (const p of phases)
          for (const f of flows) {
            // Written in a different order each time: every setter keeps the other three.
            const writes = [
              () => (conn.clientTcp = c),
              () => (conn.serverTcp = s),
              () => (conn.phase = p),
              () => (conn.lbFlow = f),
            ];
            for (let i = 0; i < 4; i++) writes[(i + k) % 4]!();
            k++;
            expect(read()).toEqual([c, s, p, f]);
          }
    conn.renew(6);
    expect(read()).toEqual([TcpState.CLOSED, TcpState.CLOSED, ReqPhase.NONE, LbFlow.NONE]);
  });

  it("the balancer's port and pair share one field: exact round trip, −1 when none, out of range refused", () => {
    const conn = newClientRecord(2, ConnKind.HTTP);
    expect([conn.lbPort, conn.clientPair]).toEqual([-1, -1]);
    conn.holdLbPort(19, 65535);
    expect([conn.lbPair, conn.lbPort]).toEqual([19, 65535]);
    conn.holdLbPort(0, 0);
    expect([conn.lbPair, conn.lbPort]).toEqual([0, 0]);
    conn.holdLbPort(32766, 1024);
    expect([conn.lbPair, conn.lbPort]).toEqual([32766, 1024]);
    conn.dropLbPort();
    expect(conn.lbPort).toBe(-1);
    expect(() => conn.holdLbPort(0, 65536)).toThrow(/out of range/);
    expect(() => conn.holdLbPort(1 << 15, 80)).toThrow(/out of range/);
  });

  it('the bench drain model makes no ConnRare for any client record', () => {
    const file = writeScenario('peer-drain-500', drainScenario(500));
    const scenario = namedScenario(loadScenarioForCli(file));
    rmSync(path.dirname(file), { recursive: true, force: true });
    const model = buildModel(scenario);
    const { world } = model;
    const records: Conn[] = [];
    const newConn = world.newConn.bind(world);
    world.newConn = (kind) => {
      const conn = newConn(kind);
      records.push(conn);
      return conn;
    };
    startModel(model);
    world.engine.run(120);
    expect(records.length).toBeGreaterThan(1000);
    expect(records.filter((c) => rareOf(c) !== null)).toHaveLength(0);
  });
});
