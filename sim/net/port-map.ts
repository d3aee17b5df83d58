/**
 * Port → socket entry for a pair that holds a few sockets (host-sockets.ts `Pair.more`: between
 * its one inline socket and its port-indexed table). An open-addressing table in one Int32Array,
 * each slot a port + 1 (0: empty) beside its entry, found by linear probing from a Fibonacci hash
 * of the port, at most half full. It replaces a JS Map: a VM's accepting pair for nginx's
 * connections to the app holds a dozen sockets whose ports nginx's walk spreads over the range,
 * looked up, added and deleted on every request, and the Map's hashing and bucket chains were
 * ~3 % of the fleet workload's CPU profile (session 20). Nothing reads the sockets in an order:
 * moving them to the port-indexed table visits them in slot order.
 */
const EMPTY = 0;
/** A new table's slots (a power of two). */
const FIRST_SLOTS = 8;

export class PortMap {
  /** Sockets held. */
  size = 0;
  /** Slot i: port + 1 at 2i (EMPTY: none), its entry at 2i + 1. */
  private slots = new Int32Array(2 * FIRST_SLOTS);
  private mask = FIRST_SLOTS - 1;
  /** 32 − log2(slots): the hash's top bits pick the home slot. */
  private shift = 32 - Math.log2(FIRST_SLOTS);

  /** The entry on `port`, or −1. */
  get(port: number): number {
    const slots = this.slots;
    const key = port + 1;
    for (let i = this.home(port); ; i = (i + 1) & this.mask) {
      const k = slots[2 * i];
      if (k === key) return slots[2 * i + 1];
      if (k === EMPTY) return -1;
    }
  }

  /** Put `entry` on `port` (which holds none). */
  set(port: number, entry: number): void {
    if (2 * (this.size + 1) > this.mask + 1) this.grow();
    this.place(port, entry);
    this.size++;
  }

  /** Put `entry` on `port` in place of the one it holds (a socket's state changed: host-sockets.ts setWord). */
  replace(port: number, entry: number): void {
    const slots = this.slots;
    const key = port + 1;
    for (let i = this.home(port); ; i = (i + 1) & this.mask) {
      const k = slots[2 * i];
      if (k === key) {
        slots[2 * i + 1] = entry;
        return;
      }
      if (k === EMPTY) throw new Error(`port ${port} holds no entry to replace`);
    }
  }

  /** Take the socket on `port` out: its entry, or −1 when the port held none. */
  delete(port: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const key = port + 1;
    let i = this.home(port);
    while (slots[2 * i] !== key) {
      if (slots[2 * i] === EMPTY) return -1;
      i = (i + 1) & mask;
    }
    const entry = slots[2 * i + 1];
    // Backward-shift deletion: move up each later slot of the run that the hole would cut off
    // from its home, so that every lookup still finds its port before an empty slot.
    for (let j = (i + 1) & mask; slots[2 * j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.home(slots[2 * j] - 1);
      // Slot j stays when its home lies cyclically in (i, j].
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      slots[2 * i] = slots[2 * j];
      slots[2 * i + 1] = slots[2 * j + 1];
      i = j;
    }
    slots[2 * i] = EMPTY;
    this.size--;
    return entry;
  }

  /** Slots to visit with portAt()/entryAt() (some empty). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** The port in slot i, or −1 when the slot is empty. */
  portAt(i: number): number {
    return this.slots[2 * i] - 1;
  }

  /** The entry in slot i (a slot holding a port). */
  entryAt(i: number): number {
    return this.slots[2 * i + 1];
  }

  private home(port: number): number {
    return Math.imul(port + 1, 0x9e3779b1) >>> this.shift;
  }

  private place(port: number, entry: number): void {
    const slots = this.slots;
    let i = this.home(port);
    while (slots[2 * i] !== EMPTY) i = (i + 1) & this.mask;
    slots[2 * i] = port + 1;
    slots[2 * i + 1] = entry;
  }

  private grow(): void {
    const old = this.slots;
    const n = 2 * (this.mask + 1);
    this.slots = new Int32Array(2 * n);
    this.mask = n - 1;
    this.shift--;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== EMPTY) this.place(old[i] - 1, old[i + 1]);
  }
}
