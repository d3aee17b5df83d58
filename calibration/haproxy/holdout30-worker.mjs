// The paced clients of calibration/haproxy/holdout30.mjs (held-out round 30), started inside its
// namespace by `ip netns exec` (the app is frontend-maxconn-worker.mjs's `app` role):
//   node holdout30-worker.mjs <port> <count> <intervalMs>
// Client k (1..count) starts its connect() at (k − 1) × intervalMs from `start` (each on its own
// timer, set from `start`, so a late one does not shift the next) and sends `GET /r/<k>` with
// `Connection: close` as soon as it is connected. No retries, no timeouts of its own (the kernel's
// SYN retransmissions are the only retries). Lines (times in s from `start`, 3 decimals):
//   start <epoch ms>
//   s <k> <s>                      connect() called
//   c <k> <s>                      connect() succeeded (the client's handshake completed)
//   q <k> <outcome> <s>            outcome: the answer's status | EOF | <errno>
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const [portArg, countArg, intervalArg] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);
const intervalMs = Number(intervalArg);
const out = (line) => process.stdout.write(`${line}\n`);

const t0 = performance.now();
out(`start ${Math.round(performance.timeOrigin + t0)}`);
const s = () => ((performance.now() - t0) / 1000).toFixed(3);
let left = count;

function connectOne(k) {
  out(`s ${k} ${s()}`);
  const sock = net.connect({ port, host: '127.0.0.1' });
  let data = '';
  let done = false;
  const finish = (outcome) => {
    if (done) return;
    done = true;
    out(`q ${k} ${outcome} ${s()}`);
    sock.destroy();
    if (--left === 0) process.exit(0);
  };
  sock.on('connect', () => {
    out(`c ${k} ${s()}`);
    sock.write(`GET /r/${k} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
  sock.on('data', (b) => {
    data += b;
    const m = /^HTTP\/1\.1 (\d+)/.exec(data);
    if (m && data.includes('\r\n\r\n')) finish(m[1]);
  });
  sock.on('end', () => finish('EOF'));
  sock.on('error', (e) => finish(e.code ?? 'error'));
}

for (let k = 1; k <= count; k++) {
  const due = (k - 1) * intervalMs;
  setTimeout(() => connectOne(k), Math.max(0, due - (performance.now() - t0)));
}
