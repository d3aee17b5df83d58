// The client of calibration/gunicorn/holdout23.mjs, run inside the recorder's netns:
//   node client.mjs <port> <arbiterPid> <count> <intervalMs> <sigtermMs> <endMs>
// Waits until gunicorn accepts (a probe connection, closed at once), then takes t0 and opens
// connection k at k × intervalMs (k = 0 … count-1): one `GET / HTTP/1.1` with `Connection: close`,
// read to the end. Each connection's outcome: 'ok' (the answer's status), or the socket's error
// code (ECONNREFUSED: no listener; ECONNRESET: the connect succeeded and the socket was reset),
// or EOF (closed with no answer). At sigtermMs it sends SIGTERM to gunicorn's arbiter (as a
// supervisor would), and it polls /proc every 5 ms for the worker's and the arbiter's exit
// (gone or a zombie). No retries, no timeouts of its own: every connection ends by itself or is
// counted open at endMs + 2 s. Prints one JSON object on stdout; times are s from t0.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const [port, arbiterPid, count, intervalMs, sigtermMs, endMs] = process.argv.slice(2).map(Number);

const alive = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};
const childrenOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

async function ready() {
  const until = performance.now() + 15000;
  while (performance.now() < until) {
    const ok = await new Promise((res) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok && childrenOf(arbiterPid).length > 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

if (!(await ready())) {
  console.log(JSON.stringify({ error: 'gunicorn did not accept within 15 s' }));
  process.exit(1);
}
const workers = childrenOf(arbiterPid);
await new Promise((r) => setTimeout(r, 1000)); // the probe connection closed and forgotten
const t0 = performance.now();
const s = () => Math.round(performance.now() - t0) / 1000;
const conns = [];
let open = 0;

function connectOne(k) {
  const c = { k, startS: s(), connectS: null, outcome: null, status: null, endS: null };
  conns.push(c);
  open++;
  const sock = net.connect(port, '127.0.0.1');
  let data = '';
  const done = (outcome) => {
    if (c.outcome !== null) return;
    c.outcome = outcome;
    c.endS = s();
    open--;
    sock.destroy();
  };
  sock.on('connect', () => {
    c.connectS = s();
    sock.write('GET / HTTP/1.1\r\nHost: gunicorn\r\nConnection: close\r\n\r\n');
  });
  sock.on('data', (b) => {
    data += b.toString('latin1');
  });
  sock.on('end', () => {
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
    if (m) c.status = Number(m[1]);
    done(m ? 'ok' : 'EOF');
  });
  sock.on('error', (e) => done(e.code ?? String(e)));
}

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
  setTimeout(() => connectOne(k), k * intervalMs - (performance.now() - t0));
}

await new Promise((r) => setTimeout(r, endMs - (performance.now() - t0)));
const until = performance.now() + 2000;
while (open > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
clearInterval(poll);
console.log(JSON.stringify({ sigtermS, workers, exits, stillOpen: open, conns }));
process.exit(0);
