import { describe, expect, it } from 'vitest';
import { narrate } from '../../sim/explain/narrate.js';
import { phaseSummary } from '../../sim/explain/phase-summary.js';
import { splitPhases } from '../../sim/explain/phases.js';
import { wrap } from '../../sim/explain/wrap.js';
import type { LogLine } from '../../sim/result.js';
import { logLines } from '../../sim/trace/log-lines.js';
import type { TraceInput, TraceRecord } from '../../sim/trace/records.js';
import { fixtureFacts } from './helpers.js';

/** A log line as a run writes it: the record at t, its text from the catalog. */
function line(t: number, input: TraceInput, folded = 0): LogLine {
  return logLines([{ t, record: { ...input, t } as TraceRecord, folded }])[0]!;
}

const poll = (active: number, drainRate: number): TraceInput => ({
  kind: 'lb.draining',
  backend: 'vm-a',
  newConn: 0,
  active,
  drainRate,
  gateThreshold: 10,
  gateMaxWait: 1800,
});

describe('splitPhases', () => {
  it('opens a phase at each action; lines at an action belong to the phase it opens', () => {
    const { result } = fixtureFacts();
    // The fixture logs at 0, 10, 10.0005, 30, 30.1234; the deploy fires at 10 s.
    const phases = splitPhases(result);
    expect(phases.map((p) => [p.from, p.to, p.mark?.label, p.lines.map((l) => l.t)])).toEqual([
      [0, 10, undefined, [0]],
      [10, 50, 'deploy vm-a (then graceful)', [10, 10.0005, 30, 30.1234]],
    ]);
  });

  it('has no quiet phase when the first action is at the start, and ignores actions past the horizon', () => {
    const { result } = fixtureFacts({
      timeline: [
        { at: '0s', do: 'remove', backend: 'vm-a' },
        { at: '2m', do: 'bind', backend: 'vm-a' },
      ],
    });
    expect(splitPhases(result).map((p) => [p.from, p.to, p.mark?.label])).toEqual([[0, 50, 'remove vm-a']]);
  });
});

describe('phaseSummary', () => {
  it('sums counters over the phase, with peaks, and shows where gauges went', () => {
    const { facts, result } = fixtureFacts();
    const [before, deploy] = splitPhases(result);
    // Samples ending at 10..40 count for the deploy phase [10, 50]; the 42 RSTs are in the one at 30.
    expect(phaseSummary(deploy!, facts)).toBe(
      '42 RSTs to clients (peak 4.2/s) · active connections 1,200 → 1,188 · TIME_WAIT sockets 6 → 4',
    );
    expect(phaseSummary(before!, facts)).toBe(
      'no resets and no client errors · active connections steady at 1,200 · TIME_WAIT sockets steady at 6',
    );
  });
});

describe('narrate', () => {
  it('tells each phase with its lines, notes and numbers, plain without colour', () => {
    const { result, scenario } = fixtureFacts();
    result.events = [
      line(10, { kind: 'deploy.start', backend: 'vm-a', threshold: 10, poll: 10, maxWait: 1800, onTimeout: 'force' }),
      line(20, poll(598, -6)),
      line(30, poll(590, -5)),
      line(40, poll(580, -4)),
      line(41, {
        kind: 'nginx.reset_reading_request',
        backend: 'vm-a',
        retries: 2,
        retryBackoff: { policy: 'full_jitter', base: 0.1, cap: 2 },
      }),
      line(
        41.999,
        {
          kind: 'nginx.reset_reading_request',
          backend: 'vm-b',
          retries: 2,
          retryBackoff: { policy: 'full_jitter', base: 0.1, cap: 2 },
        },
        7,
      ),
    ];
    const text = narrate(result, scenario, { color: false, width: 100 });
    expect(text).not.toContain('\u001b[');
    expect(text).toContain('── Before any action · 14:00:00 → 14:00:10 ──');
    expect(text).toContain('── 14:00:10 · deploy vm-a (then graceful) · until 14:00:50 ──');
    expect(text).toContain('  14:00:10.000 [deploy] deploy start on vm-a');
    expect(text).toContain('      → A deploy pipeline starts on vm-a');
    // Three polls: the first, a count, and the last with the note written for where it ended.
    expect(text).toContain(
      [
        '  14:00:20.000 [lb] backend=vm-a draining new_conn=0 active_conn=598 drain_rate=-6.0/min',
        '      … 2 more like this until 14:00:40.000; the last:',
        '  14:00:40.000 [lb] backend=vm-a draining new_conn=0 active_conn=580 drain_rate=-4.0/min',
        '      → The deploy gate polls vm-a: no new flows, 580 still open, falling 4/min on average since the',
      ].join('\n'),
    );
    // Repeats of a kind group across backends; the fold's repeats count as events.
    expect(text).toContain(
      '  14:00:41.000 [nginx] vm-a: recv() failed (104: Connection reset by peer) while reading client request line',
    );
    expect(text).toContain('      → The LB forgot this vm-a flow');
    expect(text).toContain(
      '      … 1 more like this until 14:00:41.999 (9 events in all, counting the folded repeats); the\n        last:',
    );
    expect(text).toContain(
      '  14:00:41.999 [nginx] vm-b: recv() failed (104: Connection reset by peer) while reading client request line (7 more like this in this second)',
    );
    expect(text).toContain('FAIL errors.total == 0');
    for (const line of text.split('\n')) if (!line.includes('] ')) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it('colours warnings and headings only when asked', () => {
    const { result, scenario } = fixtureFacts();
    result.events = [line(30, { kind: 'app.killed', backend: 'vm-a', inFlight: 3 })];
    const text = narrate(result, scenario, { color: true, width: 100 });
    expect(text).toContain('\u001b[33m  14:00:30.000 [app] vm-a: killed (SIGKILL)');
    expect(text).toContain('\u001b[1mdrainsim explain · fixture-drain · seed 42');
  });
});

describe('wrap', () => {
  it('wraps on spaces with a first and a hanging indent', () => {
    expect(wrap('one two three four', 10, '> ', '  ')).toEqual(['> one two', '  three', '  four']);
    expect(wrap('averyveryverylongword x', 8, '', '')).toEqual(['averyveryverylongword', 'x']);
    expect(wrap('', 10, '  ')).toEqual([]);
  });
});
