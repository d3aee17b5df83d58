import type { Rng } from '../engine/random.js';
import type { PerturbTable, PortOffset } from './port-hash.js';

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

/**
 * Ports the caller knows no probe can take, as two bitmaps, one per pass parity: bit k of
 * `parity[p]` stands for port low + p + 2k (the walk's k-th port of that parity from the range's
 * low end). A set bit must mean `usable(port)` would be false; a clear bit means "ask usable()".
 * The walk then skips runs of set bits a word at a time and counts them as probes, with the same
 * port, probe count and draws as probing each (the kernel's cost stays in `probes`; the model's
 * is no longer proportional to it).
 */
export interface PortSkip {
  readonly parity: readonly [Uint32Array, Uint32Array];
}

/**
 * From bit `from` of `bits` (bits [0, n) meaningful), how many consecutive set bits before a
 * clear one or bit n. Word-at-a-time: the walk over a range that is mostly taken is ~n/32 steps.
 */
export function setRun(bits: Uint32Array, from: number, n: number): number {
  let k = from;
  while (k < n) {
    const word = bits[k >>> 5];
    const shift = k & 31;
    // Ones from `shift` on; inverted, the first set bit is the first clear one in the word.
    const free = ~word >>> shift;
    if (free !== 0) {
      const run = k + (31 - Math.clz32(free & -free));
      return Math.min(run, n) - from;
    }
    k += 32 - shift;
  }
  return n - from;
}

export interface HashConnectResult {
  /** The chosen port, or −1 for EADDRNOTAVAIL. */
  port: number;
  /** Ports examined (the kernel's cost). */
  probes: number;
}

/** Set `out` to (port, probes) and return it. */
function answer(out: HashConnectResult, port: number, probes: number): HashConnectResult {
  out.port = port;
  out.probes = probes;
  return out;
}

export function inetHashConnect(
  low: number,
  high: number,
  key: PortOffset,
  secrets: PerturbTable,
  usable: PortProbe,
  rng: Rng,
  /**
   * The caller knows no port of the first pass (the range's low-end parity) is usable: it skips
   * to the second pass with the same result and draws as probing each (a full half is common
   * when a host runs out of ports, and scanning it on every connect is the kernel's cost, not
   * the model's).
   */
  firstPassFull = false,
  /** Ports known to be unusable (see PortSkip), or null to probe each. */
  skip: PortSkip | null = null,
  /** Where to write the result (a caller that connects often keeps one: no object per connect). */
  out: HashConnectResult = { port: -1, probes: 0 },
): HashConnectResult {
  const step = 2;
  const end = high + 1; // [32768, 60999] → [32768, 61000[
  let remaining = end - low;
  if (remaining > 1) remaining &= ~1;
  // Both operands unsigned 32-bit (`>>> 0` on the positive `remaining` changes no value): TurboFan
  // then divides as integers (Uint32Mod). A u32 past 2^31 against a signed divisor was a
  // floating-point `%`, which V8 compiles to a call into C (fmod), on every connect().
  let offset = ((secrets.perturb(key.index) + key.offset) >>> 0) % (remaining >>> 0);
  offset &= ~1;
  let probes = 0;
  if (firstPassFull && remaining > 1) {
    probes = remaining / step;
    offset++;
  }
  const half = remaining >>> 1;
  for (;;) {
    let port = low + offset;
    const bits = skip === null || remaining < 2 ? null : skip.parity[offset & 1];
    for (let i = 0; i < remaining; i += step, port += step) {
      if (port >= end) port -= remaining;
      if (bits !== null) {
        // Skip the known-taken ports from here to the next clear bit (or to the wrap / pass end).
        const k = (port - low) >>> 1;
        const left = (remaining - i) >>> 1;
        const run = setRun(bits, k, Math.min(half, k + left));
        if (run > 0) {
          probes += run;
          i += run * step;
          port += run * step;
          if (i >= remaining) break;
          if (port >= end) port -= remaining;
        }
      }
      probes++;
      if (usable(port)) {
        const jitter = Math.floor(rng.next() * 8) * step;
        secrets.addPerturb(key.index, Math.max(i, jitter) + step);
        return answer(out, port, probes);
      }
    }
    offset++;
    if (!(offset & 1 && remaining > 1)) return answer(out, -1, probes);
  }
}
