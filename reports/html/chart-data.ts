/**
 * Which charts the HTML report draws and the numbers behind each, taken from the sampled timeline.
 * Charts are data (CHARTS below); a chart whose series are missing or all zero is listed as
 * skipped with the reason, so a reader knows it was not forgotten.
 */
import { POOL_STATE_NAMES, type Timeline } from '../../sim/result.js';
import { roundNumber } from '../round-for-output.js';
import { decimateTimes, decimateValues, samplesPerBucket } from './decimate.js';
import { type TimelineColumns, timelineColumns } from './timeline-columns.js';

export interface ChartSeries {
  label: string;
  color: string;
  /** One value per sample time; counters are per second. */
  values: (number | null)[];
  /** `right` puts the series on a second y axis (another unit). */
  axis: 'left' | 'right';
}

export interface Chart {
  id: string;
  title: string;
  unit: string;
  rightUnit?: string;
  about: string;
  series: ChartSeries[];
  /** Names of the integer values of a state series (drawn stepped, axis labelled with names). */
  states?: readonly string[];
  /** The part of the story the chart tells; the page shows charts under their group's heading. */
  group: ChartGroupId;
  /** A chart of one series no hand-made chart draws (generated from the series' own description). */
  generated?: true;
}

/**
 * The parts of a story, in the order the page tells them: what clients saw first, then the
 * mechanisms behind it, from the balancer down to the kernel.
 */
export const CHART_GROUPS = [
  {
    id: 'client',
    title: 'Client impact',
    about: 'What clients and users saw: errors, resets, requests served and lost.',
  },
  {
    id: 'drain',
    title: 'Drain and the balancer pool',
    about: 'Where the balancer sent connections and which backends it drained or detached.',
  },
  { id: 'websocket', title: 'WebSockets', about: 'Sessions per backend, how they ended, and the reconnects.' },
  { id: 'health', title: 'Health checks', about: 'Checks and probes failing, backends removed and restarted.' },
  { id: 'capacity', title: 'Capacity and app load', about: 'App workers, queues, utilisation and pauses.' },
  { id: 'nginx', title: 'nginx', about: 'Worker generations after reloads and connections to the app.' },
  { id: 'kernel', title: 'Kernel: TIME_WAIT and ports', about: 'Sockets and ports on the VMs and the balancer.' },
  { id: 'other', title: 'Other series', about: 'Series no group above covers.' },
] as const;

export type ChartGroupId = (typeof CHART_GROUPS)[number]['id'];

/** The group of each series that gets a generated chart (those no hand-made chart draws). */
const SERIES_GROUPS: Record<string, ChartGroupId> = {
  requests: 'client',
  responses_2xx: 'client',
  requests_failed: 'client',
  retries: 'client',
  errors: 'client',
  attempts: 'client',
  sessions_lost: 'client',
  closed_fin: 'drain',
  ws_close_1001: 'websocket',
  ws_moved_again: 'websocket',
  ws_close_1000: 'websocket',
  ws_avg_age: 'websocket',
  restarts: 'health',
  utilisation: 'capacity',
  pauses: 'capacity',
  upstream_connects: 'nginx',
  syn_drops: 'kernel',
  tw_reused: 'kernel',
  tw_reopened: 'kernel',
  tw_overflow: 'kernel',
  upstream_ports_busy: 'kernel',
  lb_ports_busy: 'kernel',
  upstream_eaddrnotavail: 'kernel',
  lb_eaddrnotavail: 'kernel',
};

export interface SkippedChart {
  id: string;
  title: string;
  reason: string;
}

export interface ChartSet {
  /** Sample end times, simulated seconds since start (past DECIMATE_ABOVE samples, two per bucket:
   *  decimate.ts). */
  t: number[];
  charts: Chart[];
  skipped: SkippedChart[];
}

interface Pick {
  /** A series name, or a pattern for a family such as `err_*`. */
  series: string | RegExp;
  /** `backends`: one line per backend; `total`: the total row only. */
  of: 'backends' | 'total';
  axis?: 'right';
  /** Appended to the backend name (backends) or used instead of the series name (total). */
  label?: string;
  /** Leave the series out when it is zero throughout (error kinds that did not occur). */
  dropIfZero?: boolean;
}

interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  rightUnit?: string;
  about: string;
  picks: Pick[];
  /** Why an all-zero chart is not drawn, in plain words. */
  whenZero: string;
  /** When set, the chart is not drawn either when every series stays at one value throughout (a
   *  gauge such as in_service that never moves tells nothing); this says why, in plain words. */
  whenFlat?: string;
  states?: readonly string[];
  group: ChartGroupId;
  generated?: true;
}

export const CHARTS: readonly ChartSpec[] = [
  {
    id: 'active-conn',
    group: 'drain',
    title: 'Active connections per backend',
    unit: 'connections',
    about: 'Flows the LB tracks to each backend at the end of each sample.',
    picks: [{ series: 'active_conn', of: 'backends' }],
    whenZero: 'no connections were open',
  },
  {
    id: 'new-conn',
    group: 'drain',
    title: 'New connections per backend',
    unit: 'connections/s',
    about: 'New flows the LB sent to each backend.',
    picks: [{ series: 'new_conn', of: 'backends' }],
    whenZero: 'no new connections were made',
  },
  {
    id: 'resets',
    group: 'client',
    title: 'Resets',
    unit: 'RST/s',
    about: 'reset_out: RSTs sent to clients; reset_in: RSTs between the LB and the backends.',
    picks: [
      { series: 'reset_out', of: 'total' },
      { series: 'reset_in', of: 'total' },
    ],
    whenZero: 'no RSTs: every connection ended with an orderly close',
  },
  {
    id: 'errors',
    group: 'client',
    title: 'Client errors by kind',
    unit: 'errors/s',
    about:
      "Errors clients saw, by kind: err_client_timeout is the client's own timer (request, connect, handshake or pong timeout), err_etimedout its kernel giving up (SYN retries, tcp_retries2); ws_close_1006 counts WebSocket sessions that ended without a Close frame.",
    picks: [
      { series: /^err_/, of: 'total', dropIfZero: true },
      { series: 'responses_5xx', of: 'total', dropIfZero: true },
      { series: 'ws_close_1006', of: 'total', dropIfZero: true },
    ],
    whenZero: 'clients saw no errors',
  },
  {
    id: 'time-wait',
    group: 'kernel',
    title: 'TIME_WAIT per backend',
    unit: 'sockets',
    about:
      'TIME_WAIT sockets on each VM (the tw of /proc/net/sockstat, the timewait of ss -s): whoever closes a connection first holds one for 60 s.',
    picks: [{ series: 'time_wait', of: 'backends' }],
    whenZero: 'no TIME_WAIT sockets on the VMs',
  },
  {
    id: 'websocket',
    group: 'websocket',
    title: 'WebSocket sessions and reconnects',
    unit: 'sessions',
    rightUnit: 'reconnects/s',
    about: 'Open WebSocket sessions per backend (left axis) and reconnect attempts of all clients (right axis).',
    picks: [
      { series: 'ws_sessions', of: 'backends', label: 'sessions' },
      { series: 'reconnects', of: 'total', axis: 'right' },
    ],
    whenZero: 'no WebSocket sessions in this run',
  },
  {
    id: 'goodput',
    group: 'client',
    title: 'Open-loop users: offered, served and failed',
    unit: 'requests/s',
    about:
      'offered: what users asked for; goodput: answered 2xx before the user gave up; req_5xx, req_timeouts: failed attempts; req_failed: requests lost after all retries; wasted: work served for nobody.',
    picks: [
      { series: 'offered', of: 'total', dropIfZero: true },
      { series: 'goodput', of: 'total' },
      { series: 'req_5xx', of: 'total', dropIfZero: true },
      { series: 'req_timeouts', of: 'total', dropIfZero: true },
      { series: 'req_failed', of: 'total', dropIfZero: true },
      { series: 'wasted', of: 'total', dropIfZero: true },
    ],
    whenZero: 'no open-loop clients in this run',
  },
  {
    id: 'health',
    group: 'health',
    title: 'Health checks: failures, removals and backends in service',
    unit: 'events/s',
    rightUnit: 'backends',
    about:
      'check_failures: failed checks or probes; removals: backends marked DOWN / not ready; readds: marked UP again; in_service (right axis): backends taking new traffic.',
    picks: [
      { series: 'check_failures', of: 'total', dropIfZero: true },
      { series: 'removals', of: 'total', dropIfZero: true },
      { series: 'readds', of: 'total', dropIfZero: true },
      { series: 'in_service', of: 'total', axis: 'right' },
    ],
    whenZero: 'no health-check failures',
    whenFlat: 'no health-check failures and the same backends in service throughout',
  },
  {
    id: 'app-load',
    group: 'capacity',
    title: 'App workers busy and requests queued per backend',
    unit: 'requests',
    about: 'Workers serving a request and requests waiting for one: a queue that grows is a backend falling behind.',
    picks: [
      { series: 'app_busy', of: 'backends', label: 'busy' },
      { series: 'app_queue', of: 'backends', label: 'queued' },
    ],
    whenZero: 'the apps were idle',
  },
  {
    id: 'nginx-generations',
    group: 'nginx',
    title: 'Old nginx worker generations per backend',
    unit: 'generations',
    about:
      'Old worker generations still alive after reloads: each holds its WebSockets (and memory) until they close or worker_shutdown_timeout.',
    picks: [{ series: 'nginx_old_generations', of: 'backends' }],
    whenZero: 'no reload left old workers behind',
  },
  {
    id: 'nginx-memory',
    group: 'nginx',
    title: 'nginx memory per backend (all generations, and the old ones)',
    unit: 'MiB',
    about:
      "nginx's resident memory: each generation's workers plus the buffers of the connections they hold (a tunnel two proxy_buffer_size buffers). Old generations that keep their tunnels after reloads keep their workers and buffers too, so memory piles up with every reload.",
    picks: [
      { series: 'nginx_memory', of: 'backends' },
      { series: 'nginx_memory_old', of: 'backends', label: 'old gens' },
    ],
    whenZero: 'no nginx running',
  },
  {
    id: 'pool-state',
    group: 'drain',
    title: 'LB pool state per backend',
    unit: 'state',
    about: 'BOUND gets new connections; DRAINING keeps existing flows only; DETACHED is out of the pool.',
    picks: [{ series: 'pool_state', of: 'backends' }],
    whenZero: 'every backend stayed BOUND',
    states: POOL_STATE_NAMES,
  },
];

const BACKEND_COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
const TOTAL_COLORS = ['#1f2937', '#dc2626', '#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2'];

const matches = (pick: Pick, name: string): boolean =>
  typeof pick.series === 'string' ? name === pick.series : pick.series.test(name);

/**
 * One chart per series that no chart above draws and that is not zero in this run, so every
 * non-zero series is on the page: gauges per backend, counters as the total per second.
 */
function generatedSpecs(tl: Timeline, read: TimelineColumns['read']): ChartSpec[] {
  const nonZero = (s: number): boolean => tl.entities.some((_, e) => read(s, e).some((x) => x !== 0));
  return tl.series.flatMap((meta, s) => {
    if (CHARTS.some((spec) => spec.picks.some((pick) => matches(pick, meta.name)))) return [];
    if (!nonZero(s)) return [];
    const counter = meta.kind === 'counter';
    return [
      {
        id: `series-${meta.name.replace(/[^a-z0-9]+/gi, '-')}`,
        title: `${meta.name}${counter ? '' : ' per backend'}`,
        unit: counter ? `${meta.unit}/s` : meta.unit,
        about: meta.description,
        picks: [{ series: meta.name, of: counter ? 'total' : 'backends' }],
        whenZero: '',
        group: SERIES_GROUPS[meta.name] ?? 'other',
        generated: true as const,
      },
    ];
  });
}

/**
 * The charts of a timeline. `perBucket` samples make one bucket of two points (decimate.ts); by
 * default 1 (every sample) up to DECIMATE_ABOVE samples. The side-by-side page passes one value
 * for both runs so that their points stay on one time axis.
 */
export function buildCharts(tl: Timeline, perBucket?: number): ChartSet {
  const { t: samples, read } = timelineColumns(tl);
  const bucket = perBucket ?? samplesPerBucket(samples.length);
  const t = decimateTimes(samples, bucket);
  const total = tl.entities.length - 1;
  const backends = tl.entities.slice(0, total);
  const charts: Chart[] = [];
  const skipped: SkippedChart[] = [];
  // One buffer for every series' rounded values before decimation (see timeline-columns.ts).
  const rounded = new Array<number | null>(samples.length).fill(0);
  for (const spec of [...CHARTS, ...generatedSpecs(tl, read)]) {
    const series: ChartSeries[] = [];
    let totalColor = 0;
    for (const pick of spec.picks) {
      const matching = tl.series.map((meta, s) => ({ meta, s })).filter(({ meta }) => matches(pick, meta.name));
      for (const { meta, s } of matching) {
        const perSecond = meta.kind === 'counter' ? tl.interval : 1;
        const scaled = (e: number): (number | null)[] => {
          const values = read(s, e);
          for (let i = 0; i < values.length; i++) rounded[i] = roundNumber(values[i]! / perSecond);
          return decimateValues(rounded, bucket);
        };
        if (pick.of === 'total') {
          const values = scaled(total);
          if (pick.dropIfZero && values.every((v) => !v)) continue;
          const color = TOTAL_COLORS[totalColor++ % TOTAL_COLORS.length]!;
          series.push({ label: pick.label ?? meta.name, color, values, axis: pick.axis ?? 'left' });
          continue;
        }
        backends.forEach((name, e) => {
          const label = pick.label === undefined ? name : `${name} ${pick.label}`;
          const color = BACKEND_COLORS[e % BACKEND_COLORS.length]!;
          series.push({ label, color, values: scaled(e), axis: pick.axis ?? 'left' });
        });
      }
    }
    const recorded = spec.picks.some((pick) => tl.series.some((meta) => matches(pick, meta.name)));
    if (!recorded) {
      skipped.push({ id: spec.id, title: spec.title, reason: 'not recorded in this run' });
      continue;
    }
    if (series.every((s) => s.values.every((v) => !v))) {
      skipped.push({ id: spec.id, title: spec.title, reason: `all zero: ${spec.whenZero}` });
      continue;
    }
    if (spec.whenFlat !== undefined && series.every((s) => s.values.every((v) => v === s.values[0]))) {
      skipped.push({ id: spec.id, title: spec.title, reason: `unchanged: ${spec.whenFlat}` });
      continue;
    }
    const chart: Chart = {
      id: spec.id,
      title: spec.title,
      unit: spec.unit,
      about: spec.about,
      series,
      group: spec.group,
    };
    if (spec.rightUnit !== undefined && series.some((s) => s.axis === 'right')) chart.rightUnit = spec.rightUnit;
    if (spec.states !== undefined) chart.states = spec.states;
    if (spec.generated) chart.generated = true;
    charts.push(chart);
  }
  return { t, charts, skipped };
}
