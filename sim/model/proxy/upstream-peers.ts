/**
 * nginx's round robin over the peers of an upstream with several addresses (nginx 1.22.1
 * src/http/ngx_http_upstream_round_robin.c): the state of one worker process's copy of them.
 *
 * `proxy_pass http://localhost:8080` defines an upstream implicitly; nginx resolves the name when
 * it reads its configuration and makes each address a peer of its own, weight 1, max_fails 1,
 * fail_timeout 10 s, and the request's tries the number of peers
 * (ngx_http_upstream_init_round_robin, "an upstream implicitly defined by proxy_pass";
 * ngx_http_upstream_init_round_robin_peer: `peer.tries = ngx_http_upstream_tries(rrp->peers)`).
 * The peers live in the configuration cycle's pool, not in shared memory (no `zone`): each worker
 * process has its own fails, weights and times, and a reload's new workers start afresh.
 */

/** One address a proxy_pass host name resolved to (`nginx.upstream_addresses`). */
export interface PeerAddress {
  readonly address: string;
  /** The app accepts on it; false: nothing listens there and a connect is refused (RST). */
  readonly listening: boolean;
}

/** ngx_http_upstream_rr_peer_t's fields the round robin reads, for one peer. */
export class Peer {
  fails = 0;
  /**
   * Seconds (ngx_time()): the last failure, and the start of the fail_timeout window (set at a
   * failure, and when the peer is chosen more than fail_timeout after it). nginx zeroes them
   * (ngx_pcalloc): the epoch, long before any request — here −∞.
   */
  accessed = Number.NEGATIVE_INFINITY;
  checked = Number.NEGATIVE_INFINITY;
  effectiveWeight = 1;
  currentWeight = 0;
  constructor(
    readonly index: number,
    readonly addr: PeerAddress,
  ) {}
}

/** nginx's defaults for an implicit upstream's peers (ngx_http_upstream_init_round_robin). */
export const IMPLICIT_MAX_FAILS = 1;
export const IMPLICIT_FAIL_TIMEOUT_S = 10;
const WEIGHT = 1;

/** One worker process's peers of the app's upstream (ngx_http_upstream_rr_peers_t). */
export class WorkerPeers {
  readonly peers: Peer[];

  constructor(addresses: readonly PeerAddress[]) {
    this.peers = addresses.map((a, i) => new Peer(i, a));
  }

  /**
   * The next peer for a try, or null when every peer not yet `tried` in this request is down
   * ("no live upstreams"): ngx_http_upstream_get_peer, the smooth weighted round robin. A peer
   * skipped: tried already, or failed max_fails times with its last failure within fail_timeout
   * (`now - peer->checked <= peer->fail_timeout`, whole seconds of ngx_time()). `tried` is the
   * request's bitmask (rrp->tried).
   */
  get(tried: number, nowS: number): Peer | null {
    let best: Peer | null = null;
    let total = 0;
    for (const peer of this.peers) {
      if ((tried & (1 << peer.index)) !== 0) continue;
      if (peer.fails >= IMPLICIT_MAX_FAILS && nowS - peer.checked <= IMPLICIT_FAIL_TIMEOUT_S) continue;
      peer.currentWeight += peer.effectiveWeight;
      total += peer.effectiveWeight;
      if (peer.effectiveWeight < WEIGHT) peer.effectiveWeight++;
      // Strictly greater: the first in resolution order wins a tie.
      if (best === null || peer.currentWeight > best.currentWeight) best = peer;
    }
    if (best === null) return null;
    best.currentWeight -= total;
    if (nowS - best.checked > IMPLICIT_FAIL_TIMEOUT_S) best.checked = nowS;
    return best;
  }

  /**
   * The try on `peer` ended (ngx_http_upstream_free_round_robin_peer): `failed` (NGX_PEER_FAILED,
   * from ngx_http_upstream_next) counts a failure and drops its effective weight by
   * weight / max_fails ("upstream server temporarily disabled" once fails reaches max_fails);
   * otherwise a peer whose check window began after its last failure is live again (`fails = 0`
   * when `accessed < checked`).
   */
  free(peer: Peer, failed: boolean, nowS: number): void {
    if (failed) {
      peer.fails++;
      peer.accessed = nowS;
      peer.checked = nowS;
      peer.effectiveWeight = Math.max(0, peer.effectiveWeight - WEIGHT / IMPLICIT_MAX_FAILS);
      return;
    }
    if (peer.accessed < peer.checked) peer.fails = 0;
  }
}

/**
 * nginx's ngx_time(): whole seconds of its cached clock, which ngx_get_peer and
 * ngx_http_upstream_free_round_robin_peer compare. The model's clock starts at 0 where a real
 * one is at an arbitrary fraction of a second: a failure at t is skipped until the first whole
 * second more than fail_timeout after floor(t), 10 to 11 s later.
 */
export function ngxTime(now: number): number {
  return Math.floor(now);
}

/**
 * The failures of a try that ngx_http_upstream_next (src/http/ngx_http_upstream.c) is called
 * with in the model: NGX_HTTP_UPSTREAM_FT_ERROR (a refused or failed connect, the app's FIN or
 * RST before the response header, a lost TLS handshake) and NGX_HTTP_UPSTREAM_FT_TIMEOUT
 * (proxy_connect_timeout, proxy_read_timeout). Both are in proxy_next_upstream's default
 * `error timeout` (ngx_http_proxy_merge_loc_conf).
 */
export const Ft = { ERROR: 0, TIMEOUT: 1 } as const;
export type Ft = (typeof Ft)[keyof typeof Ft];

/**
 * The request's tries left after a failed one, counting the next (ngx_http_upstream_next: the
 * peer is freed as failed, ngx_http_upstream_free_round_robin_peer `pc->tries--` with several
 * peers; then `if (u->peer.cached && ft_type == NGX_HTTP_UPSTREAM_FT_ERROR) u->peer.tries++`: a
 * connection from the keep-alive cache that failed with an error costs no try).
 */
export function triesAfterFailure(tries: number, ft: Ft, cached: boolean): number {
  return Math.max(0, tries - 1) + (cached && ft === Ft.ERROR ? 1 : 0);
}

/**
 * Whether ngx_http_upstream_next sends the request to the next peer: a try left (`u->peer.tries
 * == 0` finalizes) and the failure in proxy_next_upstream — whose default `error timeout` lacks
 * `non_idempotent`, which a POST (or LOCK, PATCH) gets once the request was sent to the failed
 * peer (`u->request_sent && (r->method & (NGX_HTTP_POST|NGX_HTTP_LOCK|NGX_HTTP_PATCH))` →
 * NGX_HTTP_UPSTREAM_FT_NON_IDEMPOTENT): a POST moves on after a failed connect, never after a
 * failure with the request sent (a read timeout, the app dying with it).
 */
export function sendsOn(triesLeft: number, requestSent: boolean, method: string): boolean {
  if (triesLeft === 0) return false;
  return !(requestSent && (method === 'POST' || method === 'PATCH' || method === 'LOCK'));
}

/** The status nginx answers when it does not send on (ngx_http_upstream_next's switch): 504 after a timeout, else 502. */
export function finalStatus(ft: Ft): 502 | 504 {
  return ft === Ft.TIMEOUT ? 504 : 502;
}
