// The client of calibration/gunicorn/holdout23.mjs, run inside the recorder's netns:
//   node client.mjs <port> <arbiterPid> <count> <intervalMs> <sigtermMs> <endMs>
// Waits until gunicorn accepts (a probe connection, closed at once), then takes t0 and opens
// connection k at k × intervalMs (k = 0 … count-1): one `GET / HTTP/1.1` with `Connection: close`,
// read to the end (client-common.mjs: the outcomes). At sigtermMs it sends SIGTERM to gunicorn's arbiter (as a
// supervisor would), and it polls /proc every 5 ms for the worker's and the arbiter's exit
// (gone or a zombie). No retries, no timeouts of its own: every connection ends by itself or is
// counted open at endMs + 2 s. Prints one JSON object on stdout; times are s from t0.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { awaitGunicorn, childrenOf, connections } from './client-common.mjs';

const [port, arbiterPid, count, intervalMs, sigtermMs, endMs] = process.argv.slice(2).map(Number);

const alive = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

await awaitGunicorn(port, arbiterPid);
const workers = childrenOf(arbiterPid);
await new Promise((r) => setTimeout(r, 1000)); // the probe connection closed and forgotten
const t0 = performance.now();
const s = () => Math.round(performance.now() - t0) / 1000;
const { conns, connect, open } = connections(port, s);

const exits = { worker: null, arbiter: null };
const poll = setInterval(() => {
  if (exits.worker === null && workers.length > 0 && workers.every((p) => !alive(p))) exits.worker = s();
  if (exits.arbiter === null && !alive(arbiterPid)) exits.arbiter = s();
}, 5);

let sigtermS = null;
setTimeout(() => {
  sigtermS = s();
  process.kill(arbiterPid, 'SIGTERM');
}, sigtermMs);
for (let k = 0; k < count; k++) {
  // Each timer from t0 (not chained), so a late one does not delay the rest.
  setTimeout(() => connect(k), k * intervalMs - (performance.now() - t0));
}

await new Promise((r) => setTimeout(r, endMs - (performance.now() - t0)));
const until = performance.now() + 2000;
while (open() > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
clearInterval(poll);
console.log(JSON.stringify({ sigtermS, workers, exits, stillOpen: open(), conns }));
process.exit(0);
