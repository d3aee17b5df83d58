// Puts an observation run's strace lines (lab.mjs DRAINSIM_HAPROXY_OBSERVE) on the run's clock:
//   node calibration/haproxy/observe/strace-clock.mjs <dir> [from s] [to s]
// prints `<run s> <tid> <call …>`; an epoll_wait gets `-> <run s>`, the instant it was asked to
// wake at: the call's start + its timeout argument (compute_poll_timeout(), src/fd.c, from the
// first key of the thread's timer trees). strace splits a call that another thread interrupts into
// `<unfinished ...>` and `<... resumed>` lines: the start comes from the first, the timeout from
// the second. Assumes strace's -tt stamps are UTC (the machine's TZ) on the run's day.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function straceOnRunClock(dir) {
  const t0 = Number(readFileSync(join(dir, 't0.txt'), 'utf8'));
  const day = new Date(t0);
  day.setUTCHours(0, 0, 0, 0);
  const started = new Map(); // tid -> start (run s) of its unfinished epoll_wait
  const out = [];
  for (const line of readFileSync(join(dir, 'strace.txt'), 'utf8').split('\n')) {
    const m = /^(\d+)\s+(\d\d):(\d\d):(\d\d\.\d+) (.*)$/.exec(line);
    if (!m) continue;
    const [, tid, hh, mm, ss, rest] = m;
    const t = (day.getTime() + ((Number(hh) * 60 + Number(mm)) * 60 + Number(ss)) * 1000 - t0) / 1000;
    if (/^epoll_wait\(\d+,\s+<unfinished/.test(rest)) {
      started.set(tid, t);
      continue; // printed with its result
    }
    let start = t;
    let timeout = null;
    const whole = /^epoll_wait\(\d+, .*, \d+, (-?\d+)\) = (\d+)/.exec(rest);
    const resumed = /^<\.\.\. epoll_wait resumed>.*, \d+, (-?\d+)\) = (\d+)/.exec(rest);
    if (whole) timeout = Number(whole[1]);
    if (resumed) {
      timeout = Number(resumed[1]);
      start = started.get(tid) ?? t;
    }
    const wake = timeout === null ? null : start + timeout / 1000;
    out.push({ t: start, end: t, tid, call: rest, wake, ready: (whole ?? resumed)?.[2] });
  }
  return out.sort((a, b) => a.t - b.t);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, from = '-1e9', to = '1e9'] = process.argv.slice(2);
  for (const r of straceOnRunClock(dir)) {
    if (r.t < Number(from) || r.t > Number(to)) continue;
    if (/EAGAIN/.test(r.call)) continue;
    const call =
      r.wake === null
        ? r.call.slice(0, 110)
        : `epoll_wait -> ${r.wake.toFixed(3)} ready ${r.ready} (returned ${r.end.toFixed(6)})`;
    console.log(`${r.t.toFixed(6)} ${r.tid} ${call}`);
  }
}
