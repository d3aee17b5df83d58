/**
 * The order in which one host's timer wheel runs the timers that expire in the same tick, read
 * from Linux 6.18 kernel/time/timer.c:
 * - enqueue_timer() puts a timer at the HEAD of its bucket (`hlist_add_head`), and
 *   expire_timers() takes them from the head (`hlist_entry(head->first, ...)`): within a bucket the
 *   timer armed LAST runs FIRST;
 * - __run_timers() collects the expired bucket of every level (collect_expired_timers, level 0
 *   up) and runs them `while (levels--) expire_timers(base, heads + levels)`: the coarser level
 *   first;
 * - run_timer_softirq() runs BASE_LOCAL (TIMER_PINNED timers, such as a request sock's
 *   rsk_timer: reqsk_queue_hash_req) before BASE_GLOBAL (the others, such as a socket's
 *   icsk_retransmit_timer).
 * The order matters where the timers' work meets one shared resource in the softirq that follows:
 * the SYNs a bucket of retransmission timers sends meet the listener in that order (net/core/dev.c
 * process_backlog), and the first final ACK gets the accept-queue place (listen-queue.ts
 * ListenerChecks). The engine alone would run equal-time events in the order they were armed.
 */
import type { Callback, Engine, TimerId } from '../engine/engine.js';
import { JiffiesClock, wheelLevel } from './jiffies.js';

/** One armed timer, until its tick. */
interface Armed {
  id: TimerId;
  readonly at: number;
  /** Sort key: BASE_LOCAL first, then the coarser level, then the later armed (see above). */
  readonly rank: number;
  readonly fn: Callback<unknown>;
  readonly arg: unknown;
}

/** Ranks: base above level above arming order (arming counts stay below 2^40 in any run). */
const LEVEL_WEIGHT = 2 ** 40;
const BASE_LOCAL_WEIGHT = 16 * LEVEL_WEIGHT;

/**
 * One host's timer wheel on the event engine: each timer is an engine event at its bucket's tick
 * (JiffiesClock.timerFiresAt), so its TimerId can be cancelled as any other; the first of a tick's
 * events to fire runs every timer of that tick still pending, in the kernel's order.
 */
export class TimerWheel {
  private armedCount = 0;
  private readonly ticks = new Map<number, Armed[]>();

  constructor(
    private readonly engine: Engine,
    readonly clock: JiffiesClock,
  ) {}

  /**
   * Arm a timer `seconds` (a whole number of jiffies) from `now`: `fn(arg)` runs in its bucket's
   * tick. `pinned`: TIMER_PINNED (BASE_LOCAL). Returns the engine's id (cancel it there).
   */
  arm<T>(now: number, seconds: number, fn: Callback<T>, arg: T, pinned = false): TimerId {
    const at = this.clock.timerFiresAt(now, seconds);
    const level = wheelLevel(Math.round(seconds * this.clock.hz), this.clock.hz);
    const rank = (pinned ? BASE_LOCAL_WEIGHT : 0) + level * LEVEL_WEIGHT + this.armedCount++;
    const armed: Armed = { id: -1, at, rank, fn: fn as Callback<unknown>, arg };
    armed.id = this.engine.at(at, this.expire, armed);
    let tick = this.ticks.get(at);
    if (tick === undefined) {
      tick = [];
      this.ticks.set(at, tick);
    }
    tick.push(armed);
    return armed.id;
  }

  /** The first event of a tick: run the tick's timers still armed, highest rank first. */
  private readonly expire = (first: Armed): void => {
    const tick = this.ticks.get(first.at)!;
    this.ticks.delete(first.at);
    const due = tick.filter((t) => t === first || this.engine.cancel(t.id));
    due.sort((a, b) => b.rank - a.rank);
    for (const t of due) t.fn(t.arg);
  };
}

const wheels = new WeakMap<JiffiesClock, TimerWheel>();

/**
 * The wheel of the host whose jiffies clock is `clock` (one per clock, made at first use), or
 * null when `clock` is a stand-in without a wheel (a sender whose timers fire exactly).
 */
export function wheelOf(engine: Engine, clock: object): TimerWheel | null {
  if (!(clock instanceof JiffiesClock)) return null;
  let wheel = wheels.get(clock);
  if (wheel === undefined) {
    wheel = new TimerWheel(engine, clock);
    wheels.set(clock, wheel);
  }
  return wheel;
}
