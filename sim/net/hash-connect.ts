import type { Rng } from '../engine/random.js';
import type { PortHashSecrets, PortOffset } from './port-hash.js';

/**
 * connect() without bind(): the local port walk of net/ipv4/inet_hashtables.c
 * __inet_hash_connect() (Linux 6.x, as read in a 6.18-era tree), for a socket without
 * IP_LOCAL_PORT_RANGE (step 2):
 *
 *     remaining = (high + 1 − low) & ~1
 *     offset = (table_perturb[index] + (port_offset >> 32)) % remaining, then & ~1
 *     first pass: ports low + offset, +2, +2, … (the range's low-end parity), wrapping
 *     second pass: offset + 1 → the other parity
 *     a port is taken if no bind bucket exists, or its bucket came from connect() (fastreuse −1)
 *       and check_established() finds the 4-tuple free or a TIME_WAIT it may reuse
 *     on success: i = max(i, get_random_u32_below(8)·2); table_perturb[index] += i + 2
 *
 * So consecutive connects to one destination in one 10-s period step +2…+16 (mean 9) when the
 * ports ahead are free; busy ports make the step the distance walked plus 2.
 */
export type PortProbe = (port: number) => boolean;

export interface HashConnectResult {
  /** The chosen port, or −1 for EADDRNOTAVAIL. */
  readonly port: number;
  /** Ports examined (the kernel's cost). */
  readonly probes: number;
}

export function inetHashConnect(
  low: number,
  high: number,
  key: PortOffset,
  secrets: PortHashSecrets,
  usable: PortProbe,
  rng: Rng,
  /**
   * The caller knows no port of the first pass (the range's low-end parity) is usable: it skips
   * to the second pass with the same result and draws as probing each (a full half is common
   * when a host runs out of ports, and scanning it on every connect is the kernel's cost, not
   * the model's).
   */
  firstPassFull = false,
): HashConnectResult {
  const step = 2;
  const end = high + 1; // [32768, 60999] → [32768, 61000[
  let remaining = end - low;
  if (remaining > 1) remaining &= ~1;
  let offset = ((secrets.perturb(key.index) + key.offset) >>> 0) % remaining;
  offset &= ~1;
  let probes = 0;
  if (firstPassFull && remaining > 1) {
    probes = remaining / step;
    offset++;
  }
  for (;;) {
    let port = low + offset;
    for (let i = 0; i < remaining; i += step, port += step) {
      if (port >= end) port -= remaining;
      probes++;
      if (usable(port)) {
        const jitter = Math.floor(rng.next() * 8) * step;
        secrets.addPerturb(key.index, Math.max(i, jitter) + step);
        return { port, probes };
      }
    }
    offset++;
    if (!(offset & 1 && remaining > 1)) return { port: -1, probes };
  }
}
