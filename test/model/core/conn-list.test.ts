import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '../../../sim/engine/mulberry32.js';
import { type Conn, ConnKind, newClientRecord } from '../../../sim/model/core/conn.js';
import { ConnList } from '../../../sim/model/core/conn-list.js';

describe('ConnList: a VM’s client records in a Set’s order', () => {
  it('keeps a Set’s membership and insertion order through adds, deletes, re-adds and compactions', () => {
    const rng = new Mulberry32(3);
    const conns = Array.from({ length: 3000 }, (_, i) => newClientRecord(i, ConnKind.HTTP));
    // Two lists of the same kind (two VMs): a record moves between them only through a delete.
    const lists = [new ConnList('vmSlot'), new ConnList('vmSlot')];
    const sets = [new Set<Conn>(), new Set<Conn>()];
    for (let step = 0; step < 100_000; step++) {
      const c = conns[Math.floor(rng.next() * conns.length)]!;
      const v = rng.next() < 0.5 ? 0 : 1;
      const addBias = Math.floor(step / 10_000) % 2 === 0 ? 0.7 : 0.3;
      if (rng.next() < addBias) {
        if (sets[1 - v]!.has(c)) continue;
        lists[v]!.add(c);
        sets[v]!.add(c);
      } else expect(lists[v]!.delete(c)).toBe(sets[v]!.delete(c));
      expect(lists[v]!.has(c)).toBe(sets[v]!.has(c));
      if (step % 1999 === 0)
        for (const i of [0, 1]) {
          expect(lists[i]!.size).toBe(sets[i]!.size);
          expect([...lists[i]!]).toEqual([...sets[i]!]);
        }
    }
    expect([...lists[0]!]).toEqual([...sets[0]!]);
    expect([...lists[1]!]).toEqual([...sets[1]!]);
  });

  it('a record is in one list of a kind: adding it to a second one throws, its two kinds are separate', () => {
    const conn = newClientRecord(1, ConnKind.HTTP);
    const a = new ConnList('vmSlot');
    const b = new ConnList('vmSlot');
    const http = new ConnList('kindSlot');
    a.add(conn);
    http.add(conn);
    expect(() => b.add(conn)).toThrow(/already in another list/);
    expect(b.has(conn)).toBe(false);
    expect(a.delete(conn)).toBe(true);
    expect(http.has(conn)).toBe(true);
    b.add(conn);
    expect([...b]).toEqual([conn]);
    expect(a.size).toBe(0);
  });

  it('an iteration survives deletes of the record just yielded and visits records added meanwhile', () => {
    const list = new ConnList('kindSlot');
    const conns = Array.from({ length: 200 }, (_, i) => newClientRecord(i, ConnKind.WS));
    for (const conn of conns) list.add(conn);
    const late = newClientRecord(1000, ConnKind.WS);
    const seen: number[] = [];
    for (const conn of list) {
      seen.push(conn.id);
      list.delete(conn); // would compact (2·count < slots) if not iterating
      if (conn.id === 0) list.add(late);
    }
    expect(seen).toEqual([...conns.map((x) => x.id), 1000]);
    expect(list.size).toBe(0);
  });
});
