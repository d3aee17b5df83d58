/** Seed Part 6's timeline (section 4) replayed in one run. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { formatClock, parseClock } from '../../sim/scenario/units.js';
import { runBuiltin, window } from '../model/helpers.js';

describe('sre-day', () => {
  let r: RunResult;
  beforeAll(() => {
    r = runBuiltin('sre-day');
  });
  const clock = (t: number) => formatClock(parseClock(r.start) + t).slice(0, 5);
  const first = (re: RegExp) => r.events.find((l) => re.test(`[${l.source}] ${l.text}`));

  it.each([
    ['14:00', /^\[deploy\] deploy start$/],
    ['14:02', /^\[lb\] backend vm-c removed from pool abruptly$/],
    ['14:02', /^\[nginx\] vm-c: recv\(\) failed \(104: Connection reset by peer\)/],
    ['14:10', /^\[lb\] backend vm-c bound/],
    ['15:20', /^\[lb\] backend=vm-a unbind\+drain/],
    ['15:20', /^\[app\] vm-a: ws_sessions=\d+, avg_age=\d+h \d+m$/],
    ['16:00', /^\[deploy\] timeout waiting for drain completion \(2400s\)$/],
    ['18:10', /^\[deploy\] config change on all backends: keepalive_timeout=2s/],
  ])('at %s the log shows %s', (at, re) => {
    const line = first(re);
    expect(line, String(re)).toBeDefined();
    expect(clock(line!.t)).toBe(at);
  });

  it('the 14:02 cut spikes resets, the drain stalls, and the 18:10 mistake raises TIME_WAIT', () => {
    expect(r.figures['reset_out.peak_per_s']!).toBeGreaterThan(50);
    expect(r.figures['drain.vm-a.timed_out']).toBe(1);
    const mistake = parseClock('18:10') - parseClock(r.start);
    const surgeLine = r.events.find((l) => l.source === 'kernel' && l.t > mistake);
    expect(surgeLine?.text).toMatch(/\/proc\/net\/sockstat: TCP: inuse \d+ orphan 0 tw \d+/);
    // The sockstat line alone would also appear without the mistake: the surge after it is at the day's
    // TIME_WAIT peak. Since the L4 proxy is a host of its own, its SYNs reopen part of the VMs'
    // TIME_WAIT, and the surge (13,045) lands 7 % under the day's maximum (14,003, the 14:02 kill
    // of vm-c, whose forgotten WebSocket tunnels now leave their app ends in TIME_WAIT).
    const surge = Math.max(...window(r, 'time_wait', mistake + 1, r.timeline.t.at(-1)!));
    expect(surge).toBeGreaterThan(0.9 * r.figures['time_wait.max']!);
    expect(surge).toBeGreaterThan(1.3 * Math.max(...window(r, 'time_wait', mistake - 300, mistake)));
  });
});
