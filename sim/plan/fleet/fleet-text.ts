/**
 * The fleet plan on the terminal: the answer first (the setting, whether it meets the deadline
 * and the cut target), the Monte Carlo figures with their spread and 95 % CI, then the
 * trade-off table the answer was picked from.
 */

import { formatDuration } from '../../scenario/units.js';
import type { SampleStats } from '../../sweep/sample-stats.js';
import { formatNumber } from '../../util/format-number.js';
import type { FleetPlan, FleetRow } from './fleet-plan.js';

export function renderFleetPlanText(plan: FleetPlan): string {
  const { input } = plan;
  const N = input.sessions;
  const batches = Math.ceil(input.vms / input.parallel);
  const out: string[] = [];
  out.push(
    `fleet drain plan: ${formatNumber(N)} sessions on ${input.vms} VMs, lifetimes ${input.lifetimes}`,
    `  rolling deploy ${input.parallel} VM(s) at a time (${batches} steps), restart ${dur(input.restart)}, pause ${dur(input.pause)}, deadline ${dur(input.deadline)}`,
    `  at the timeout what is left is ${input.notice ? 'closed with a drain notice (1001)' : 'cut (1006)'}; clients reconnect within ${dur(input.reconnectWindow)}`,
    `  target: at most ${share(input.target)} of the sessions cut (${num(input.target * N)})`,
    '',
  );
  if (input.timeout === null) {
    out.push(
      `The deadline leaves each of the ${batches} steps at most ${dur(plan.timeoutBudget)} of drain (deadline / steps − restart${input.pause > 0 ? ' − pause' : ''}).`,
    );
  }
  const c = plan.chosen;
  if (plan.best !== null) {
    out.push(
      `Answer: session TTL ${dur(c.setting.ttl)}, drain timeout ${dur(c.setting.timeout)} meets the deadline with ${num(c.expected.cut)} sessions cut expected.`,
      `  app.ws.session_ttl=${spec(c.setting.ttl)}  rolling_deploy timeout=${spec(c.setting.timeout)}`,
    );
  } else if (input.ttl !== null && input.timeout !== null) {
    out.push(`Asked: session TTL ${dur(c.setting.ttl)}, drain timeout ${dur(c.setting.timeout)}: ${verdict(c)}.`);
  } else {
    out.push(
      `No setting in the table meets both the deadline and the target; the fewest cuts within the deadline: TTL ${dur(c.setting.ttl)}, timeout ${dur(c.setting.timeout)} (${verdict(c)}).`,
    );
    if (!input.notice) out.push('  A drain notice at the timeout (--notice) turns the cuts into graceful 1001 moves.');
  }
  out.push('', `Monte Carlo, ${input.replicas} rollouts of that setting (mean [95% CI], p50 / p95 / p99):`);
  const s = plan.simulated;
  const rowsMc: [string, SampleStats, (v: number) => string, string][] = [
    ['cut (1006)', s.cut, num, `closed form ${num(c.expected.cut)}`],
    ['moved (1001)', s.moved, num, `closed form ${num(c.expected.moved)}`],
    ['moved twice or more', s.movedTwice, num, 'sessions closed ≥ 2 times'],
    ['sessions disrupted', s.disrupted, num, 'closed at least once'],
    ['reconnect peak /s', s.reconnectPeak, num, 'busiest second'],
    ['rollout time', s.rolloutTime, dur, `closed form ${dur(c.expected.rolloutTime)}`],
  ];
  out.push(
    ...table(
      ['figure', 'mean', '95% CI', 'p50', 'p95', 'p99', ''],
      rowsMc.map(([name, st, f, note]) => [
        name,
        f(st.mean),
        `${f(st.ci95Low ?? st.mean)} – ${f(st.ci95High ?? st.mean)}`,
        f(st.p50),
        f(st.p95),
        f(st.p99),
        note,
      ]),
    ),
  );
  out.push('', 'Trade-off (closed form; * = meets deadline and target, > = the answer):');
  out.push(
    ...table(
      ['', 'session TTL', 'timeout', 'cut', 'cut %', 'moved (1001)', 'TTL reconnects/s', 'rollout'],
      plan.rows.map((r) => [
        `${r === plan.best ? '>' : ' '}${r.meetsDeadline && r.meetsTarget ? '*' : ' '}`,
        dur(r.setting.ttl),
        dur(r.setting.timeout),
        num(r.expected.cut),
        share(r.expected.cut / N),
        num(r.expected.moved),
        num(r.expected.ttlReconnectsPerSecond),
        `${dur(r.expected.rolloutTime)}${r.meetsDeadline ? '' : ' (late)'}`,
      ]),
    ),
  );
  return `${out.join('\n')}\n`;
}

function verdict(r: FleetRow): string {
  const parts = [
    r.meetsDeadline ? 'meets the deadline' : `misses the deadline (${dur(r.expected.rolloutTime)})`,
    r.meetsTarget ? 'meets the cut target' : `misses the cut target (${num(r.expected.cut)} cut)`,
  ];
  return parts.join(', ');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

function dur(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'none';
  return formatDuration(seconds >= 60 ? Math.round(seconds) : Number(seconds.toPrecision(3)));
}

function spec(seconds: number): string {
  return Number.isFinite(seconds) ? formatDuration(Math.round(seconds)).replace(/ /g, '') : 'infinite';
}

function num(v: number): string {
  return formatNumber(Number(v.toPrecision(3)));
}

function share(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
