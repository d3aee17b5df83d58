import type { LogLine } from '../result.js';

/**
 * The operator-facing event log. Per-connection lines (an nginx 104 for every reset flow) are
 * rate-limited per key the way the kernel's net_ratelimit and nginx's error log volume behave in
 * practice: the first `burst` lines of a key in each second are kept, the rest are folded into one
 * "(N more like this)" line at the end of that second.
 */
export class EventLog {
  readonly lines: LogLine[] = [];
  private windows = new Map<string, { second: number; kept: number; suppressed: number; source: string; text: string }>();

  constructor(
    private readonly now: () => number,
    private readonly burst = 5,
  ) {}

  log(source: string, text: string): void {
    this.lines.push({ t: this.now(), source, text });
  }

  /** Log with per-key rate limiting; `key` groups lines of the same kind. */
  logLimited(key: string, source: string, text: string): void {
    const t = this.now();
    const second = Math.floor(t);
    let w = this.windows.get(key);
    if (w && w.second !== second) {
      this.flushWindow(w);
      w = undefined;
    }
    if (!w) {
      w = { second, kept: 0, suppressed: 0, source, text };
      this.windows.set(key, w);
    }
    if (w.kept < this.burst) {
      w.kept++;
      this.lines.push({ t, source, text });
    } else {
      w.suppressed++;
      w.text = text;
    }
  }

  /** Emit pending "(N more)" lines; call at the end of the run. Lines are then sorted by time. */
  finish(): LogLine[] {
    for (const w of this.windows.values()) this.flushWindow(w);
    this.windows.clear();
    // Stable sort: suppression summaries are stamped at the end of their second.
    const indexed = this.lines.map((line, i) => ({ line, i }));
    indexed.sort((a, b) => a.line.t - b.line.t || a.i - b.i);
    return indexed.map((x) => x.line);
  }

  private flushWindow(w: { second: number; suppressed: number; source: string; text: string }): void {
    if (w.suppressed > 0) {
      this.lines.push({ t: w.second + 0.999, source: w.source, text: `${w.text} (${w.suppressed} more like this in this second)` });
      w.suppressed = 0;
    }
  }
}
