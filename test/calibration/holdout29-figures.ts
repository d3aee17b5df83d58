/**
 * Round 29's runs and figures (holdout29.test.ts): session 33's kernel rules recorded on this
 * machine's Linux in a namespace by calibration/lib/holdout29.mjs (the sockets: holdout29.py), the
 * model's side the kernel twins of calibration/kernel-twins.mjs (runFinalAckTwin,
 * runTwBucketsTwin) on each run's own config (configOf).
 */
import type { Tolerance } from './heldout-table.js';

/** What holdout29.py printed, with the run's config (holdout29.mjs record()). */
export interface Rec29 {
  config: Record<string, unknown>;
  result: {
    clientEstablished?: number;
    synRecv?: number;
    acceptQueue?: number;
    finWait2?: number;
    timeWait?: number;
    counters: Record<string, number>;
  };
}

/** A twin's figures (kernel-twins.mjs). */
export type Twin29 = Record<string, number>;

export interface Figure29 {
  figure: string;
  tolerance: Tolerance;
  real: (d: Rec29) => number | null;
  /** The twin's value of this figure. */
  sim: (t: Twin29) => number;
  derived?: string;
}

const COUNT: Tolerance = { count: true };
const counter = (d: Rec29, name: string): number => d.result.counters[name] ?? 0;

/** kern33 48eb22fb's runs: the listener and the clients at the run's observation instant. */
const ACKQ: Figure29[] = [
  {
    figure: 'clients ESTABLISHED (ss, client side)',
    tolerance: COUNT,
    real: (d) => d.result.clientEstablished ?? null,
    sim: (t) => t.established,
  },
  {
    figure: 'TcpExtListenOverflows',
    tolerance: COUNT,
    real: (d) => counter(d, 'TcpExtListenOverflows'),
    sim: (t) => t.overflows,
  },
  {
    figure: 'TcpExtTCPReqQFullDoCookies',
    tolerance: COUNT,
    real: (d) => counter(d, 'TcpExtTCPReqQFullDoCookies'),
    sim: (t) => t.cookies,
  },
  {
    figure: 'children in the accept queue (LISTEN Recv-Q)',
    tolerance: COUNT,
    real: (d) => d.result.acceptQueue ?? null,
    sim: (t) => t.children,
    derived: 'backlog + 1 (sk_acceptq_is_full) once 5 ACKs got in',
  },
  {
    figure: 'request socks (ss SYN-RECV)',
    tolerance: COUNT,
    real: (d) => d.result.synRecv ?? null,
    sim: (t) => t.synRecv,
  },
];

/** kern33 d8fe8fd3's runs: the client's timewait socks 0.5 s after the last close. */
const TW: Figure29[] = [
  {
    figure: 'TIME-WAIT of the client-first closes (ss)',
    tolerance: COUNT,
    real: (d) => d.result.timeWait ?? null,
    sim: (t) => t.timeWait,
  },
  {
    figure: 'TcpExtTCPTimeWaitOverflow',
    tolerance: COUNT,
    real: (d) => counter(d, 'TcpExtTCPTimeWaitOverflow'),
    sim: (t) => t.overflows,
  },
  {
    figure: 'FIN-WAIT-2 (ss)',
    tolerance: COUNT,
    real: (d) => d.result.finWait2 ?? null,
    sim: (t) => t.finWait2,
    derived: 'the orphaned FIN_WAIT2s the run makes (its input)',
  },
];

/** Per run, its figures (the runs of calibration/lib/holdout29.mjs HOLDOUT29_RUNS). */
export const KERNEL29: Record<string, Figure29[]> = {
  'kernel-holdout29-ackq-burst': ACKQ,
  'kernel-holdout29-ackq-paced': ACKQ,
  'kernel-holdout29-tw-fw2-10': TW,
  'kernel-holdout29-tw-fw2-16': TW,
  'kernel-holdout29-tw-fw2-0': TW,
};

/** The commit whose rule each run tests (its parent's figures are the `parent` section). */
export const RULE29: Record<string, string> = {
  'kernel-holdout29-ackq-burst': '48eb22fb',
  'kernel-holdout29-ackq-paced': '48eb22fb',
  'kernel-holdout29-tw-fw2-10': 'd8fe8fd3',
  'kernel-holdout29-tw-fw2-16': 'd8fe8fd3',
  'kernel-holdout29-tw-fw2-0': 'd8fe8fd3',
};

/** Rows whose 0 is the mechanism (kept as mechanism rows by markZeros). */
export const MECHANISM_ZEROS29: Record<string, string> = {
  'kernel-holdout29-tw-fw2-16 / TIME-WAIT of the client-first closes (ss)':
    '16 FIN_WAIT2s fill tcp_max_tw_buckets 16: no TIME_WAIT admitted (the parent: 10)',
  'kernel-holdout29-tw-fw2-16 / TcpExtTCPTimeWaitOverflow': 'not 0: every close refused',
};
