/**
 * A host's jiffies clock and the timer wheel's rounding of long timers.
 *
 * jiffies counts ticks at CONFIG_HZ from an arbitrary value at boot; `bootJiffies` is its
 * (fractional) value at simulated time 0, drawn per host, so batch boundaries and the 10-s
 * port-offset periods of different hosts are not aligned.
 *
 * kernel/time/timer.c (non-cascading wheel since 4.8): LVL_CLK_SHIFT 3, LVL_BITS 6, so level n has
 * granularity LVL_GRAN(n) = 8^n jiffies and takes timers whose delta is below
 * LVL_START(n+1) = 63·8^n. calc_index() puts a timer in the bucket
 * ((expires + LVL_GRAN(lvl)) >> LVL_SHIFT(lvl)) << LVL_SHIFT(lvl): the first level boundary
 * strictly after `expires`, so a timer fires 1…LVL_GRAN jiffies late and every timer of one
 * bucket fires in the same tick.
 *
 * At HZ=250, TIME_WAIT's 60 s = 15,000 jiffies lies in level 3 (4,032 ≤ delta < 32,256):
 * granularity 512 jiffies = 2.048 s. TIME_WAIT sockets therefore leave in batches every 2.048 s
 * and live 60 s + U(1, 512) jiffies, 61.026 s on average. (At HZ=1000 the same 60,000 jiffies
 * fall in level 4: 4.096 s batches.)
 */
const LVL_CLK_SHIFT = 3;
const LVL_SIZE = 64;
const LVL_DEPTH_HZ_OVER_100 = 9;

/** LVL_START(n) = (LVL_SIZE − 1) << ((n − 1)·LVL_CLK_SHIFT). */
function lvlStart(n: number): number {
  return (LVL_SIZE - 1) * 2 ** ((n - 1) * LVL_CLK_SHIFT);
}

const LVL_STARTS = Array.from({ length: LVL_DEPTH_HZ_OVER_100 + 1 }, (_, n) => lvlStart(n));

/** The wheel level calc_wheel_index() picks for a timer `delta` jiffies ahead. */
export function wheelLevel(deltaJiffies: number, hz: number): number {
  const depth = hz > 100 ? LVL_DEPTH_HZ_OVER_100 : 8;
  for (let lvl = 0; lvl < depth - 1; lvl++) if (deltaJiffies < LVL_STARTS[lvl + 1]) return lvl;
  return depth - 1;
}

/** LVL_GRAN(level) in jiffies. */
export function wheelGranularity(level: number): number {
  return 2 ** (level * LVL_CLK_SHIFT);
}

/** The jiffy in which a timer armed at jiffy `now` for `timeout` jiffies fires. */
export function wheelExpiryJiffy(nowJiffy: number, timeoutJiffies: number, hz: number): number {
  const expires = nowJiffy + timeoutJiffies;
  const shift = wheelLevel(timeoutJiffies, hz) * LVL_CLK_SHIFT;
  const gran = 2 ** shift;
  return Math.floor((expires + gran) / gran) * gran;
}

/**
 * The RTO as the kernel holds it: icsk_rto is in jiffies, set by __tcp_set_rto() through
 * usecs_to_jiffies(), which rounds up (include/linux/jiffies.h), and doubled as a whole number of
 * jiffies (`icsk_rto << 1`, tcp_retransmit_timer). At HZ 250 a loopback RTO of 200.1 ms is 51
 * jiffies (204 ms), so the 8-RTO copy goes at 1.632 s, not 1.6 s. The 1e-9 keeps an exact whole
 * number (0.2 s × 250) from rounding up on a floating-point last bit.
 */
export function inWholeJiffies(seconds: number, hz: number): number {
  return Math.ceil(seconds * hz - 1e-9) / hz;
}

export class JiffiesClock {
  constructor(
    readonly hz: number,
    /** jiffies (fractional) at simulated time 0. */
    readonly bootJiffies: number,
  ) {}

  /** The jiffies value at simulated time `t` seconds. */
  jiffies(t: number): number {
    return Math.floor(this.bootJiffies + t * this.hz);
  }

  /** The simulated time at which jiffies reaches `jiffy`. */
  timeOf(jiffy: number): number {
    return (jiffy - this.bootJiffies) / this.hz;
  }

  /** When a timer armed at `now` for `seconds` (a whole number of jiffies) really fires. */
  timerFiresAt(now: number, seconds: number): number {
    if (seconds !== this.lastSeconds) {
      // A host arms the same timeout over and over (TIME_WAIT's 60 s): its level is computed once.
      this.lastSeconds = seconds;
      this.lastTimeout = Math.round(seconds * this.hz);
      this.lastGranularity = wheelGranularity(wheelLevel(this.lastTimeout, this.hz));
    }
    // wheelExpiryJiffy() with the level known.
    const gran = this.lastGranularity;
    return this.timeOf(Math.floor((this.jiffies(now) + this.lastTimeout + gran) / gran) * gran);
  }

  private lastSeconds = Number.NaN;
  private lastTimeout = 0;
  // NaN, a double, so the field is one from the start (engine/double-fields.ts); never read before
  // the first call sets it (lastSeconds is NaN until then).
  private lastGranularity = Number.NaN;
}
