// Held-out HAProxy runs, round 17 (session 25, hold17): session 24's rule for when HAProxy 2.6 in
// mode http closes an idle client connection (7d37bcd, src/mux_h1.c): h1_init() creates the
// connection's timeout task only with `timeout client`; h1_refresh_timeout() arms an idle front
// connection at `timeout client` and takes tick_first() with the idle expiration
// h1_set_idle_expiration() sets from `timeout http-keep-alive` (after a first request), else
// `timeout http-request`. So the close comes at min(client, keep-alive), else min(client,
// http-request), and never without `timeout client`. No recording had checked it.
//
// Each run is closes.mjs's idle client in mode http (closes-worker.mjs idle(): 20 connections, slot
// i opened at i × 50 ms, one GET each, then idle until HAProxy closes; `seconds` 1, so no slot
// reconnects after its close), HAProxy with no checks and one backend that never closes first. The
// client logs each close (`close <ms> <slot> <how> <idle ms since the response>`). Three settings,
// each where the rule and the model before it (7d37bcd^: `timeout http-keep-alive` replaced
// `timeout client`; no `timeout http-request`, so `timeout client` alone) differ:
//   - client 2s, http-keep-alive 5s: closed after 2 s (before: 5 s);
//   - client 6s, http-request 2s (no http-keep-alive): closed after 2 s (before: 6 s);
//   - http-keep-alive 2s, no timeout client: never closed (before: 2 s).
// Twins calibration/scenarios/haproxy-holdout17-*.yaml and their predictions
// (calibration/data/holdout17-predictions.json) were committed before any run was recorded; the
// comparison is test/calibration/holdout17.test.ts.
//
//   flock /work/wt/calib.lock node calibration/haproxy/holdout17.mjs --rt 10 [--only <substring>]
//
// Data: calibration/data/<name>-rt.json (closes.mjs runCloses(): the client's, backend's and
// HAProxy's lines, RSTs, TIME_WAITs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCloses } from './closes.mjs';

const DATA = fileURLToPath(new URL('../data/', import.meta.url));

/** closes-worker.mjs idle(): 20 slots over the first second, none reopened (seconds 1), 500 ms unused. */
export const IDLE_CLIENT17 = ['idle', 20, 1, 500];
/** Sampled for 10 s: the latest close either model gives (6 s + 0.95 s) is inside. */
const SECONDS17 = 10;

const idleRun = (tag, timeouts, what) => ({
  name: `haproxy-holdout17-idle-${tag}-http`,
  description:
    `mode http, ${Object.entries(timeouts)
      .map(([k, v]) => `timeout ${k} ${v}`)
      .join(', ')} (timeout connect 5s, no checks, one server that never closes first): ` +
    '20 keep-alive connections opened 50 ms apart, one GET each, then idle: ' +
    what,
  mode: 'http',
  timeouts,
  client: IDLE_CLIENT17,
  seconds: SECONDS17,
});

export const HOLDOUT17_EXPERIMENTS = [
  idleRun(
    'client2-ka5',
    { client: '2s', server: '30s', 'http-keep-alive': '5s' },
    'when HAProxy closes them (the smaller of timeout client and http-keep-alive: 2 s).',
  ),
  idleRun(
    'client6-req2',
    { client: '6s', server: '30s', 'http-request': '2s' },
    'when HAProxy closes them (no http-keep-alive: the smaller of timeout client and http-request, 2 s).',
  ),
  idleRun(
    'ka2-noclient',
    { server: '30s', 'http-keep-alive': '2s' },
    'whether HAProxy closes them (no timeout client: no timeout task, never).',
  ),
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, rt: { type: 'string' }, out: { type: 'string', default: DATA } },
  });
  const rt = values.rt ? Number(values.rt) : null;
  if (rt !== null) execFileSync('chrt', ['-a', '-f', '-p', String(rt), String(process.pid)]);
  mkdirSync(values.out, { recursive: true });
  for (const e of HOLDOUT17_EXPERIMENTS) {
    if (values.only && !e.name.includes(values.only)) continue;
    console.log(`${e.name}: ${e.seconds} s …`);
    const data = await runCloses(e, rt);
    const file = join(values.out, `${e.name}${rt !== null ? '-rt' : ''}.json`);
    writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
    const { clientCloses, idleCloseAfterMs, terminations } = data.summary;
    console.log(
      `  client closes ${JSON.stringify(clientCloses)}, idle before close ${JSON.stringify(idleCloseAfterMs)}, log ${JSON.stringify(terminations)}`,
    );
  }
}
