import type { Conn } from './conn.js';
import { SlotOrder } from './slot-order.js';

/**
 * The Conn field that holds a record's slot in a list of this kind (−1: in none). `vmSlot`:
 * a VM's connections (Backend.conns); `kindSlot`: a VM's WebSocket sessions (Backend.wsSessions).
 */
export type ConnSlotField = 'vmSlot' | 'kindSlot';

/**
 * Client records in insertion order (slot-order.ts) where a `Set<Conn>` was, at a fraction of
 * its memory (issue 14): a Set entry costs ~66 bytes at 10k records (its hash table, a large
 * object at that size, grown by doubling); here 8 bytes of the array (twice that with holes) and
 * the record's slot field. Membership is `slots[record.slot] === record`, so the record needs no
 * pointer back to its list. The keyed field access costs nothing that matters: a record joins
 * and leaves once per connection, not per request.
 */
export class ConnList extends SlotOrder<Conn> {
  constructor(private readonly field: ConnSlotField) {
    super();
  }

  has(conn: Conn): boolean {
    const i = conn[this.field];
    return i >= 0 && this.slots[i] === conn;
  }

  /** Append `conn` (a no-op when it is already in this list, like Set.add). */
  add(conn: Conn): this {
    if (this.has(conn)) return this;
    // Another list of the same kind holds the record: its slot would be overwritten.
    if (conn[this.field] >= 0) throw new Error(`ConnList.add: the record is already in another list (${this.field})`);
    this.append(conn);
    return this;
  }

  /** Remove `conn`; false when it is not in this list (like Set.delete). */
  delete(conn: Conn): boolean {
    if (!this.has(conn)) return false;
    const i = conn[this.field];
    conn[this.field] = -1;
    this.vacate(i);
    return true;
  }

  protected moved(conn: Conn, slot: number): void {
    conn[this.field] = slot;
  }
}
