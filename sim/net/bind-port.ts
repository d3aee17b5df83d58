import type { Rng } from '../engine/random.js';
import type { PortProbe } from './hash-connect.js';

/**
 * bind(addr, 0): net/ipv4/inet_connection_sock.c inet_csk_find_open_port() (via
 * inet_csk_get_port()), Linux 6.x:
 *
 *     with SO_REUSEADDR (libuv sets it on every TCP bind) first the lower half of the range,
 *       half = low + ((high + 1 − low) >> 2 << 1), then the upper half; without it the whole range
 *     offset = get_random_u32_below(remaining) | 1  — the parity connect() does not favour
 *     scan +2 from there (wrapping), then offset − 1 (the other parity)
 *     a port is taken only if nothing uses it (relax = false: any socket on the port, TIME_WAIT
 *     included, is a bind conflict)
 *
 * When both halves are full the kernel retries with relax = true only if ip_autobind_reuse is set
 * (default 0); this model stops there: EADDRINUSE.
 * No walk state: each bind starts at a fresh random place. (nginx proxy_bind sets
 * IP_BIND_ADDRESS_NO_PORT, so its port comes from connect()'s walk instead; see
 * src/event/ngx_event_connect.c.)
 */
export function inetCskFindOpenPort(low: number, high: number, reuseAddr: boolean, free: PortProbe, rng: Rng): number {
  const end = high + 1;
  let attemptHalf = reuseAddr && end - low >= 4 ? 1 : 0;
  for (;;) {
    let lo = low;
    let hi = end;
    if (attemptHalf) {
      const half = low + (((end - low) >> 2) << 1);
      if (attemptHalf === 1) hi = half;
      else lo = half;
    }
    let remaining = hi - lo;
    if (remaining > 1) remaining &= ~1;
    let offset = Math.floor(rng.next() * remaining) | 1;
    for (;;) {
      let port = lo + offset;
      for (let i = 0; i < remaining; i += 2, port += 2) {
        if (port >= hi) port -= remaining;
        if (free(port)) return port;
      }
      offset--;
      if (offset & 1) break;
    }
    if (attemptHalf !== 1) return -1;
    attemptHalf = 2;
  }
}
