// The client of calibration/gunicorn/worker-timeout.mjs, run inside the recorder's netns:
//   node timeout-client.mjs <port> <arbiterPid> <startsMs,...> <endMs>
// Waits until gunicorn accepts (a probe connection, closed at once) and 1 s more, takes t0, and
// opens connection k at startsMs[k]: one `GET / HTTP/1.1` with `Connection: close`, read to the
// end (client-common.mjs: the outcomes). Polls the arbiter's children every 5 ms and records each change of
// worker pids (a killed worker replaced). No retries, no timeouts of its own. Prints one JSON
// object on stdout; times are s from t0.
import { performance } from 'node:perf_hooks';
import { awaitGunicorn, childrenOf, connections } from './client-common.mjs';

const [portText, arbiterText, startsText, endText] = process.argv.slice(2);
const port = Number(portText);
const arbiterPid = Number(arbiterText);
const starts = startsText.split(',').map(Number);
const endMs = Number(endText);

await awaitGunicorn(port, arbiterPid);
await new Promise((r) => setTimeout(r, 1000)); // the probe connection served and forgotten
const t0 = performance.now();
const s = () => Math.round(performance.now() - t0) / 1000;
const workers = [{ s: 0, pids: childrenOf(arbiterPid) }];
const poll = setInterval(() => {
  const pids = childrenOf(arbiterPid);
  if (pids.join() !== workers[workers.length - 1].pids.join()) workers.push({ s: s(), pids });
}, 5);

const { conns, connect, open } = connections(port, s);
starts.forEach((ms, k) => setTimeout(() => connect(k), ms - (performance.now() - t0)));

const until = t0 + endMs;
while (performance.now() < until && (conns.length < starts.length || open() > 0))
  await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => setTimeout(r, 500)); // a last worker change after the last outcome
clearInterval(poll);
console.log(JSON.stringify({ workers, stillOpen: open(), conns }));
process.exit(0);
