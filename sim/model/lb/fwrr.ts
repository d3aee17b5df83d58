/**
 * HAProxy's `balance roundrobin`: the fast weighted round robin of src/lb_fwrr.c (HAProxy v2.6.0,
 * unchanged in 2.6.12 as far as the recordings show), ported step for step because where a
 * redispatched stream lands depends on the exact order of its trees (calibration/haproxy/NOTES.md
 * item 6: in the held-out kill2of4 run every redispatch landed on s3, none on s4).
 *
 * One group (no backup servers in drainsim) holds three ordered trees of servers: `curr`, keyed
 * by each server's next position `npos` in the current window (heavier servers first on a tie),
 * and `init` / `next`, keyed by weight (heaviest first), holding the servers whose place falls in
 * the next window. Picking takes the first of `curr` whose position has come, or else the heaviest
 * of `init`; each pick advances `curr_pos` by one and moves the server `next_weight / eweight`
 * positions on. A window is `curr_weight` positions long; when `curr` runs dry the trees switch.
 * eb32 trees keep equal keys in insertion order; the sorted arrays here do the same.
 */

/** BE_WEIGHT_SCALE (include/haproxy/backend-t.h), fwrr's `lbprm.wdiv`: an effective weight is the user weight × 16. */
export const BE_WEIGHT_SCALE = 16;
/** SRV_UWGHT_RANGE and SRV_EWGHT_MAX (include/haproxy/server-t.h). */
const SRV_UWGHT_RANGE = 256;
export const SRV_EWGHT_MAX = SRV_UWGHT_RANGE * BE_WEIGHT_SCALE;

/**
 * `npos`, `lpos`, `rweight` and the eweights are `unsigned` in struct server, the group's
 * positions and weights `int`: C converts the int operand of a mixed expression to unsigned, so a
 * negative difference wraps to a huge position (a server back UP late in a window that DOWNs
 * shrank waits for the next window). u32() is that conversion.
 */
const u32 = (x: number): number => x >>> 0;

/** Tree ids: `curr`, and the two weight-ordered trees that swap roles (`init` / `next`). */
const NONE = -1;
const CURR = 0;

/** The host's view of a server, read when the round robin looks at it. */
export interface FwrrServers {
  readonly count: number;
  /** Effective weight the server should have now (0: not usable: DOWN, drained, maint). */
  eweightOf(b: number): number;
  /** At maxconn or with streams queued (`srv->maxconn && (queue.length || served >= maxconn)`). */
  saturated(b: number): boolean;
}

export class FastWeightedRoundRobin {
  /** `cur_eweight` of each server as the trees know it (0: out of the trees). */
  private readonly eweight: Int32Array;
  private readonly npos: Float64Array;
  private readonly lpos: Float64Array;
  private readonly rweight: Int32Array;
  /** Which tree holds the server (NONE, CURR, 1 or 2), and its key there. */
  private readonly tree: Int8Array;
  private readonly key: Float64Array;
  /** Three trees as arrays of servers sorted by key, equal keys in insertion order. */
  private readonly trees: number[][] = [[], [], []];
  private init = 1;
  private next = 2;
  private currWeight = 0;
  private currPos = 0;
  private nextWeight = 0;
  private started = false;
  /** The server the last change put UP, if no pick or other change came after (see changed()). */
  private justUp = NONE;
  /** Servers extracted by one pick (saturated or avoided), requeued at its end. */
  private readonly full: number[] = [];

  constructor(private readonly servers: FwrrServers) {
    const n = servers.count;
    this.eweight = new Int32Array(n);
    this.npos = new Float64Array(n);
    this.lpos = new Float64Array(n);
    this.rweight = new Int32Array(n);
    this.tree = new Int8Array(n).fill(NONE);
    this.key = new Float64Array(n);
  }

  /**
   * `fwrr_get_next_server(p, srvtoavoid)`: the next server, or -1 when none is usable or all are
   * saturated. The server to avoid (a redispatch's last one: `avoid[b]` = 1, null for none) is
   * extracted and requeued "just as if it was consumed" — its turn is used up — and taken only
   * when no other server is left. HAProxy avoids one server; every caller here marks one, and
   * more are each skipped the same way, the first of them the fallback.
   */
  pick(avoid: Uint8Array | null): number {
    this.start();
    this.justUp = NONE;
    if (this.nextWeight === 0) return -1; // `!p->srv_act`: no usable server
    let switched = false;
    let avoided = NONE;
    let srv = NONE;
    this.full.length = 0;
    for (;;) {
      if (this.currWeight === 0) this.currPos = this.currWeight = this.nextWeight;
      srv = this.fromGroup();
      if (srv === NONE) {
        if (switched) {
          srv = avoided;
          break;
        }
        switched = true;
        this.switchTrees();
        continue;
      }
      this.updatePosition(srv);
      this.dequeue(srv);
      this.currPos++;
      if (!this.servers.saturated(srv)) {
        if (avoid === null || avoid[srv] === 0) break;
        if (avoided === NONE) avoided = srv;
      }
      this.full.push(srv);
    }
    if (srv !== NONE) this.queue(srv);
    // Requeue the extracted servers (a LIFO chain in HAProxy: the last extracted first).
    for (let i = this.full.length - 1; i >= 0; i--) {
      const f = this.full[i];
      if (f === srv) continue;
      if (switched) this.queueByWeight(this.init, f);
      else this.queue(f);
    }
    return srv;
  }

  /**
   * `fwrr_init_server_groups()`: every usable server in `init`, by weight, before the first pick
   * or the first change of a server (HAProxy builds the trees at startup; drainsim's topology sets
   * the initial states and weights before anything runs). Idempotent.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (let b = 0; b < this.servers.count; b++) {
      const w = this.servers.eweightOf(b);
      if (w <= 0) continue;
      this.eweight[b] = w;
      this.nextWeight += w;
      this.queueByWeight(this.init, b);
    }
    this.currPos = this.currWeight = this.nextWeight;
  }

  /**
   * Server `b`'s state or weight just changed (the host calls start() before changing it): apply
   * it now, as HAProxy's srv_update_status() (src/server.c) calls `fwrr_set_server_status_down()`
   * or `fwrr_update_server_weight()` (which calls `_up()` for a server becoming usable) at each
   * event, in event order (none of them moves `curr_pos`, which only a pick advances).
   * `sameUp`: the weight is the one the UP just applied should have had — srv_update_status()
   * computes slowstart's first step (server_recalc_eweight()) before it propagates the UP, one
   * fwrr_set_server_status_up() with that weight; taking the server out and placing it again
   * with no pick or change in between is the same as that single UP.
   */
  changed(b: number, sameUp: boolean): void {
    const want = this.servers.eweightOf(b);
    const have = this.eweight[b];
    if (want === have) return;
    if (sameUp && this.justUp === b && want > 0) this.setDown(b);
    if (want <= 0) this.setDown(b);
    else if (this.eweight[b] <= 0) this.setUp(b, want);
    else this.updateWeight(b, want);
    this.justUp = want > 0 && have <= 0 ? b : NONE;
  }

  /** `fwrr_set_server_status_down()`: out of the trees, its weight out of the next window. */
  private setDown(b: number): void {
    this.nextWeight -= this.eweight[b];
    this.eweight[b] = 0;
    this.dequeue(b);
    this.tree[b] = NONE;
  }

  /** `fwrr_set_server_status_up()`: placed one step of its new weight after the current position. */
  private setUp(b: number, w: number): void {
    this.nextWeight += w;
    this.eweight[b] = w;
    // fwrr_get_srv_down() puts it at curr_pos, from which its first step is counted (unsigned).
    this.npos[b] = u32(this.currPos + Math.floor(u32(this.nextWeight + this.currWeight - this.currPos) / w));
    this.queue(b);
  }

  /** `fwrr_update_server_weight()` for a server usable before and after (slowstart's ramp). */
  private updateWeight(b: number, w: number): void {
    this.nextWeight = this.nextWeight - this.eweight[b] + w;
    this.eweight[b] = w;
    if (this.tree[b] === this.init) {
      this.dequeue(b);
      this.queueByWeight(this.init, b);
      return;
    }
    if (this.tree[b] === this.next) this.npos[b] = u32(this.npos[b] + this.currWeight); // fwrr_get_srv_next()
    const prevNext = this.npos[b];
    const step = Math.floor(this.nextWeight / w);
    this.npos[b] = u32(this.lpos[b] + step);
    this.rweight[b] = 0;
    if (this.npos[b] > prevNext) this.npos[b] = prevNext;
    if (this.npos[b] < u32(this.currPos + 2)) this.npos[b] = u32(this.currPos + step);
    this.dequeue(b);
    this.queue(b);
  }

  /** `fwrr_get_server_from_group()`: `curr`'s first if its position has come, else `init`'s first. */
  private fromGroup(): number {
    const curr = this.trees[CURR];
    const s1 = curr.length > 0 ? curr[0] : NONE;
    if (s1 !== NONE && this.eweight[s1] > 0 && this.npos[s1] <= u32(this.currPos)) return s1;
    const init = this.trees[this.init];
    if (init.length > 0 && this.eweight[init[0]] > 0) {
      const s2 = init[0];
      this.npos[s2] = 0; // fwrr_get_srv_init()
      this.rweight[s2] = 0;
      return s2;
    }
    return s1;
  }

  /** `fwrr_switch_trees()`: `next` becomes `init`, a new window of `next_weight` positions. */
  private switchTrees(): void {
    const swap = this.init;
    this.init = this.next;
    this.next = swap;
    this.currWeight = this.nextWeight;
    this.currPos = this.currWeight;
  }

  /** `fwrr_update_position()`: the server's next position, the remainder carried in `rweight`. */
  private updatePosition(s: number): void {
    const w = this.eweight[s];
    if (w === 0) return;
    if (this.npos[s] === 0) this.npos[s] = this.currPos;
    this.lpos[s] = this.npos[s];
    this.npos[s] = u32(this.npos[s] + Math.floor(this.nextWeight / w));
    this.rweight[s] += this.nextWeight % w;
    if (this.rweight[s] >= w) {
      this.rweight[s] -= w;
      this.npos[s] = u32(this.npos[s] + 1);
    }
  }

  /**
   * `fwrr_queue_srv()`: into `next` when its position is beyond this window or the theoretical
   * next one, else into `curr` keyed by position, then weight (remainder included).
   */
  private queue(s: number): void {
    const w = this.eweight[s];
    if (w <= 0) {
      this.tree[s] = NONE;
      return;
    }
    if (this.npos[s] >= u32(2 * this.currWeight) || this.npos[s] >= u32(this.currWeight + this.nextWeight)) {
      this.npos[s] = u32(this.npos[s] - this.currWeight);
      this.queueByWeight(this.next, s);
      return;
    }
    this.insert(
      CURR,
      s,
      u32(SRV_UWGHT_RANGE * this.npos[s] + Math.floor((SRV_EWGHT_MAX + this.rweight[s] - w) / BE_WEIGHT_SCALE)),
    );
  }

  /** `fwrr_queue_by_weight()`: heaviest first. */
  private queueByWeight(tree: number, s: number): void {
    this.insert(tree, s, SRV_EWGHT_MAX - this.eweight[s]);
  }

  /** eb32_insert(): after every server of a key not above this one (duplicates in insertion order). */
  private insert(tree: number, s: number, key: number): void {
    const t = this.trees[tree];
    // Shift the heavier keys up one place (no splice: it allocates the removed-items array).
    let i = t.length;
    t.push(s);
    while (i > 0 && this.key[t[i - 1]] > key) {
      t[i] = t[i - 1];
      i--;
    }
    t[i] = s;
    this.key[s] = key;
    this.tree[s] = tree;
  }

  /** `fwrr_dequeue_srv()`: out of whichever tree holds it (the tree pointer stays, as lb_tree does). */
  private dequeue(s: number): void {
    const tree = this.tree[s];
    if (tree === NONE) return;
    const t = this.trees[tree];
    const i = t.indexOf(s);
    if (i < 0) return;
    for (let k = i + 1; k < t.length; k++) t[k - 1] = t[k];
    t.pop();
  }
}
