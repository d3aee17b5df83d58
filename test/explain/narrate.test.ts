import { describe, expect, it } from 'vitest';
import { narrate } from '../../sim/explain/narrate.js';
import { phaseSummary } from '../../sim/explain/phase-summary.js';
import { splitPhases } from '../../sim/explain/phases.js';
import { wrap } from '../../sim/explain/wrap.js';
import { fixtureFacts } from './helpers.js';

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
    expect(phaseSummary(deploy!, facts)).toBe('42 RSTs to clients (peak 4.2/s) · active connections 1,200 → 1,188 · TIME_WAIT sockets 6 → 4');
    expect(phaseSummary(before!, facts)).toBe('no resets and no client errors · active connections steady at 1,200 · TIME_WAIT sockets steady at 6');
  });
});

describe('narrate', () => {
  it('tells each phase with its lines, notes and numbers, plain without colour', () => {
    const { result, scenario } = fixtureFacts();
    result.events = [
      { t: 10, source: 'deploy', text: 'deploy start on vm-a: unbind -> drain -> gate(new==0 && active<10) -> terminate' },
      { t: 20, source: 'lb', text: 'backend=vm-a draining new_conn=0 active_conn=598 drain_rate=-6.0/min' },
      { t: 30, source: 'lb', text: 'backend=vm-a draining new_conn=0 active_conn=590 drain_rate=-5.0/min' },
      { t: 40, source: 'lb', text: 'backend=vm-a draining new_conn=0 active_conn=580 drain_rate=-4.0/min' },
      { t: 41, source: 'nginx', text: 'something the notes do not know' },
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
    expect(text).toMatch(/ {2}14:00:41\.000 \[nginx\] something the notes do not know\n {2}In this phase:/);
    expect(text).toContain('FAIL errors.total == 0');
    for (const line of text.split('\n')) if (!line.includes('] ')) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it('colours warnings and headings only when asked', () => {
    const { result, scenario } = fixtureFacts();
    result.events = [{ t: 30, source: 'app', text: 'vm-a: killed (SIGKILL): no graceful hook runs' }];
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
