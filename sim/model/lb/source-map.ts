/**
 * The server map of `hash-type map-based` (HAProxy 2.6 src/lb_map.c, read at v2.6.0): the table
 * `map_get_server_hash()` reads as `map[hash % tot_weight]`. init_server_map() divides every
 * server's weight by the GCD of the configured weights (`wmult`; wdiv is 1 for the map), so
 * weights 2/2/2 make a map of 3 entries, not 6, and 100 × 4 a map of 4; recalc_server_map()
 * fills it by interleaving the usable servers by weight (each entry goes to the server whose
 * running `wscore` is highest, declaration order breaking ties), and is called again by
 * map_set_server_status_up()/_down() whenever a server enters or leaves the usable set
 * (srv_willbe_usable(): UP, neither drained nor in maint, weight > 0) or its weight changes.
 * A server's maxconn plays no part: a full server keeps its entries, and the stream waits in
 * its queue (assign_server_and_queue(), src/backend.c).
 */

/** GCD of the configured weights, as init_server_map() computes it (zero weights ignored; 1 when all are 0). */
export function weightGcd(weights: ArrayLike<number>): number {
  let g = 0;
  for (let b = 0; b < weights.length; b++) {
    let w = weights[b];
    while (w > 0) {
      const t = g % w;
      g = w;
      w = t;
    }
  }
  return g > 0 ? g : 1;
}

export class ServerMap {
  /** The effective weight (uweight / wmult) each backend had at the last build; 0 = not usable. */
  private readonly built: Int32Array;
  private readonly wscore: Int32Array;
  private entries = new Int32Array(0);
  private total = 0;

  constructor(count: number) {
    this.built = new Int32Array(count).fill(-1);
    this.wscore = new Int32Array(count);
  }

  /**
   * The map for the effective weights `eweight` (0 for a server not usable), rebuilt when they
   * differ from the last build's; then the server at `hash % tot_weight`, or -1 when the total is 0
   * (get_server_sh() returns no server).
   */
  lookup(hash: number, eweight: Int32Array): number {
    if (!sameWeights(this.built, eweight)) this.rebuild(eweight);
    return this.total === 0 ? -1 : this.entries[hash % this.total];
  }

  /** recalc_server_map(): entry o goes to the server whose wscore + tot, divided by tot, is highest. */
  private rebuild(eweight: Int32Array): void {
    this.built.set(eweight);
    let tot = 0;
    for (let b = 0; b < eweight.length; b++) tot += eweight[b];
    this.total = tot;
    if (this.entries.length < tot) this.entries = new Int32Array(tot);
    this.wscore.fill(0);
    for (let o = 0; o < tot; o++) {
      let best = -1;
      let max = 0;
      for (let b = 0; b < eweight.length; b++) {
        if (eweight[b] === 0) continue;
        // "If we are forced to return only one server, we don't want to go further".
        if (tot === 1) {
          best = b;
          break;
        }
        this.wscore[b] += eweight[b];
        const v = Math.trunc((this.wscore[b] + tot) / tot); // C integer division
        if (best < 0 || v > max) {
          max = v;
          best = b;
        }
      }
      this.entries[o] = best;
      if (best >= 0) this.wscore[best] -= tot;
    }
  }
}

function sameWeights(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
