// When HAProxy started, on each compared recording's clock (t0 = the client's start), for the
// resolvers task's phase (NOTES.md items 33-34): `process_resolvers()` is woken at start and then
// keyed every `timeout resolve` (1 s, src/resolvers.c), and the first server's first check runs at
// start + 0 (src/check.c `start_checks()`: the k-th of n at start + inter × k / n). lab.mjs keeps
// neither HAProxy's spawn time nor t0's epoch; only a logged first check (`option
// log-health-checks`, whose first result is logged as a status change) puts HAProxy's start on the
// run's clock: its line's read time minus its check duration. Elsewhere the start is not recorded:
// printed as such, with the earliest check whose duration a line gives: that server's check phase
// at that time, not HAProxy's start (answered checks drift by their duration + up to 1 ms a
// period, NOTES.md item 33, so the phase cannot be walked back to the start).
// `node calibration/haproxy/observe/start-phase.mjs [calibration/data]`
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'calibration/data';
const duration = (line) => Number(/check duration: (\d+)ms/.exec(line)?.[1] ?? Number.NaN) / 1000;
for (const f of readdirSync(dir).sort()) {
  if (!/^haproxy-.*\.json$/.test(f) || f.includes('predictions')) continue;
  const d = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const lines = (d.events?.haproxyMessages ?? d.haproxyLines ?? []).filter((m) => typeof m === 'object');
  const firstCheck = lines.find((m) => /Health check for server be\/s1 /.test(m.line) && m.t < 0);
  const name = f.replace(/\.json$/, '');
  if (firstCheck) {
    const start = firstCheck.t - duration(firstCheck.line);
    const others = lines
      .filter((m) => m.t < 0 && /^\[WARNING\].*Health check for server be\/s\d+ /.test(m.line))
      .map((m) => `${/be\/(s\d+)/.exec(m.line)[1]} ${(m.t - duration(m.line) - start).toFixed(3)}`);
    console.log(
      `${name}: HAProxy started at t0 ${start.toFixed(3)} s (first checks after start: ${others.join(', ')})`,
    );
    continue;
  }
  const timed = lines.find((m) => /check duration: \d+ms/.test(m.line));
  const hint = timed
    ? `; earliest timed check: ${/be\/(s\d+)/.exec(timed.line)?.[1]} started ${(timed.t - duration(timed.line)).toFixed(3)} s`
    : '';
  console.log(`${name}: not recorded (run started ${d.stamp?.date})${hint}`);
}
