/**
 * HAProxy source persistence, `lb.sticky: source`: a backend's `stick-table type ip size <n>` with
 * `stick on src` (HAProxy 2.6). The rule is both a match and a store on the client's source
 * address:
 *
 * - match, before load balancing (process_sticking_rules(), src/stream.c, a request analyser): an
 *   entry for the address names a server, and sticking_rule_find_target() sends the stream there
 *   (SF_DIRECT | SF_ASSIGNED, so assign_server() runs no algorithm) when `srv->cur_state !=
 *   SRV_ST_STOPPED || (px->options & PR_O_PERSIST)`: a drained or NOLB server keeps its addresses,
 *   a DOWN or maint one (STOPPED) does not — its addresses are load-balanced (LoadBalancer.stuckTo,
 *   which asks LoadBalancer.persistsTo, the cookie's rule);
 * - store (process_store_rules(), the response analyser AN_RES_STORE_RULES that sess_establish()
 *   arms: at once in tcp mode, after the response headers in http mode; `stick on src` is `stick
 *   match` + `stick store-request`, whose entry the request side only collects in s->store[]):
 *   stktable_set_entry() keeps the existing entry and writes the stream's server into it, so an
 *   address load-balanced away from a DOWN server is stuck to its new one from then on, and stays
 *   there when the old one comes back.
 *
 * Without `expire` (not modelled: the scenario has no `lb.stick_expire`) an entry never expires —
 * stktable_init() arms the expiry task only when `t->expire` is set; stktable_touch_local() just
 * moves it — and is evicted only when the table is full (__stksess_new() → stktable_trash_oldest(),
 * src/stick_table.c): the model's table holds every client address (`clients.source_ips`), as a
 * `size` above that would. An l7 stream's server is stored when its response arrives
 * (l7-dispatch.ts answeredBy): one that gets none stores nothing (stream_free() frees the
 * collected entry).
 */
export class SourceStickTable {
  /** The stored server of each client address (-1: no entry); grown on demand. */
  private servers = new Int32Array(0);

  /** The server stored for client address `ip` (-1: no entry). */
  serverOf(ip: number): number {
    return ip >= 0 && ip < this.servers.length ? this.servers[ip] : -1;
  }

  /** A stream from `ip` stores server `b` (connected in tcp mode, answered in http mode): the entry names `b` now (process_store_rules()). */
  store(ip: number, b: number): void {
    if (ip < 0) return;
    if (ip >= this.servers.length) this.grow(ip + 1);
    this.servers[ip] = b;
  }

  private grow(length: number): void {
    const grown = new Int32Array(Math.max(length, 2 * this.servers.length)).fill(-1);
    grown.set(this.servers);
    this.servers = grown;
  }
}
