import type { TraceInput, TraceRecord } from '../trace/records.js';

/** One entry of the finished log: a record, or the fold of a second's suppressed repeats. */
export interface LoggedRecord {
  /** When the line appears: the record's time, or the end of the second for a fold. */
  t: number;
  /** For a fold, the last record it stands for. */
  record: TraceRecord;
  /** For a fold, the repeats it stands for besides its own record: the line reads "(N more like
   *  this in this second)", so it stands for 1 + N records; 0 for a plain line. */
  folded: number;
}

interface Window {
  second: number;
  kept: number;
  suppressed: number;
  last: TraceRecord;
  /** The first record past the burst, logged in its place in case it stays the only one. */
  firstOver: LoggedRecord | undefined;
}

/**
 * The operator-facing event log, fed typed trace records (sim/trace/records.ts); the result turns
 * them into text through sim/trace/catalog.ts. Per-connection records (an nginx 104 for every
 * reset flow) are rate-limited per key the way the kernel's net_ratelimit and nginx's error log
 * volume behave in practice: the first `burst` records of a key in each second are kept, the rest
 * are folded into one "(N more like this)" line at the end of that second.
 */
/** What the log reads the time from: the engine itself (its `now`). */
export interface LogClock {
  readonly now: number;
}

export class EventLog {
  private readonly entries: LoggedRecord[] = [];
  private windows = new Map<string, Window>();
  /** Entries that stood for a second's only repeat until a second repeat made a fold of them. */
  private readonly foldedSingles = new Set<LoggedRecord>();

  /**
   * `clock` is an object whose `now` is read, not a `() => now` closure: a sweep worker makes a new
   * world each run, and an optimised `stamp()` that inlined one run's closure was deoptimised
   * ("weak objects") and compiled again in every later run (README Benchmarks, session 14). The
   * engine's map is the same in every run.
   */
  constructor(
    private readonly clock: LogClock,
    private readonly burst = 5,
  ) {}

  /** Log a record; the log stamps its time (the object passed in becomes the record). */
  emit(input: TraceInput): void {
    this.entries.push({ t: this.stamp(input).t, record: input as TraceRecord, folded: 0 });
  }

  /** Log with per-key rate limiting; `key` groups records of the same kind. */
  emitLimited(key: string, input: TraceInput): void {
    const record = this.stamp(input);
    const t = record.t;
    const second = Math.floor(t);
    let w = this.windows.get(key);
    if (w && w.second !== second) {
      this.flushWindow(w);
      w = undefined;
    }
    if (!w) {
      w = { second, kept: 0, suppressed: 0, last: record, firstOver: undefined };
      this.windows.set(key, w);
    }
    if (w.kept < this.burst) {
      w.kept++;
      this.entries.push({ t, record, folded: 0 });
    } else {
      // The first repeat past the burst is logged where it belongs among same-time records; a
      // second one turns the two into the fold written at the end of the second.
      if (++w.suppressed === 1) {
        w.firstOver = { t, record, folded: 0 };
        this.entries.push(w.firstOver);
      } else if (w.suppressed === 2) this.foldedSingles.add(w.firstOver!);
      w.last = record;
    }
  }

  /** Emit pending folds; call at the end of the run. Entries are then sorted by time. */
  finish(): LoggedRecord[] {
    for (const w of this.windows.values()) this.flushWindow(w);
    this.windows.clear();
    // Stable sort: folds are stamped at the end of their second.
    const kept =
      this.foldedSingles.size === 0 ? this.entries : this.entries.filter((entry) => !this.foldedSingles.has(entry));
    const indexed = kept.map((entry, i) => ({ entry, i }));
    indexed.sort((a, b) => a.entry.t - b.entry.t || a.i - b.i);
    return indexed.map((x) => x.entry);
  }

  private stamp(input: TraceInput): TraceRecord {
    const record = input as TraceRecord;
    record.t = this.clock.now;
    return record;
  }

  /**
   * The fold shows the last suppressed record and counts the others, so its line plus "(N more like
   * this)" adds up to the records suppressed; one suppressed record is already logged in its place.
   */
  private flushWindow(w: Window): void {
    if (w.suppressed > 1) this.entries.push({ t: w.second + 0.999, record: w.last, folded: w.suppressed - 1 });
    w.suppressed = 0;
    w.firstOver = undefined;
  }
}
