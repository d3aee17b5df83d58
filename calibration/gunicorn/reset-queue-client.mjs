// The client of calibration/gunicorn/reset-queue.mjs, run inside the recorder's netns:
//   node reset-queue-client.mjs <port> <pid> <depth> <conns JSON> <endMs>
// <pid>, <depth>: gunicorn's worker is a descendant of <pid> that deep (1: <pid> is the arbiter;
// 2: <pid> is strace, whose child is the arbiter).
// <conns JSON>: [{ "startMs": 0, "resetAfterMs": 250 }, …] — connection k opens at startMs, sends
// one `GET /k<k> HTTP/1.1` (Connection: close) and, with resetAfterMs, closes that long after its
// connect with an RST: socket.resetAndDestroy() (node ≥ 18.3: SO_LINGER {1, 0}, then close(), so
// tcp_close() → tcp_disconnect() sends the RST; net/ipv4/tcp.c). Without it the answer is read to
// the end. Waits until gunicorn accepts (a probe connection, closed at once) and 1 s more, then takes
// t0. Every 25 ms one `ss -Htan sport = :<port>`: the listener's Recv-Q (its accept queue,
// sk_ack_backlog) and the server-side sockets by state. Prints one JSON object: t0 on
// CLOCK_MONOTONIC (process.hrtime) and on the epoch clock (for strace -ttt), each connection's local
// port and times (s from t0), the ss samples.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const [portText, pidText, depthText, connsText, endText] = process.argv.slice(2);
const port = Number(portText);
const topPid = Number(pidText);
const depth = Number(depthText);
const plan = JSON.parse(connsText);
const endMs = Number(endText);

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
    let level = [topPid];
    for (let d = 0; d < depth; d++) level = level.flatMap(childrenOf);
    if (ok && level.length > 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

if (!(await ready())) {
  console.log(JSON.stringify({ error: 'gunicorn did not accept within 15 s' }));
  process.exit(1);
}
await new Promise((r) => setTimeout(r, 1000)); // the probe connection served and forgotten
const t0 = performance.now();
const t0Mono = process.hrtime.bigint();
const t0Epoch = performance.timeOrigin + t0;
const s = () => Math.round((performance.now() - t0) * 10) / 10000;

// ss: the LISTEN line's Recv-Q is the accept queue; a child reset there is unhashed (tcp_done() →
// tcp_set_state(TCP_CLOSE) → inet_unhash) and no longer listed, but still counted.
const samples = [];
let sampling = true;
const sample = () => {
  if (!sampling) return;
  const at = s();
  execFile('ss', ['-Htan', `sport = :${port}`], (err, out) => {
    if (err === null) {
      const row = { s: at, acceptQueue: null, states: {} };
      for (const line of out.trim().split('\n')) {
        const [state, recvQ] = line.trim().split(/\s+/);
        if (state === undefined || state === '') continue;
        if (state === 'LISTEN') row.acceptQueue = Number(recvQ);
        else row.states[state] = (row.states[state] ?? 0) + 1;
      }
      samples.push(row);
    }
    if (sampling) setTimeout(sample, 25);
  });
};
sample();

const conns = [];
let open = 0;
function connectOne(k) {
  const { resetAfterMs } = plan[k];
  const c = {
    k,
    path: `/k${k}`,
    startS: s(),
    connectS: null,
    localPort: null,
    resetS: null,
    outcome: null,
    status: null,
    endS: null,
  };
  conns.push(c);
  open++;
  const sock = net.connect(port, '127.0.0.1');
  let data = '';
  const done = (outcome) => {
    if (c.outcome !== null) return;
    c.outcome = outcome;
    c.endS = s();
    open--;
  };
  sock.on('connect', () => {
    c.connectS = s();
    c.localPort = sock.localPort;
    sock.write(`GET ${c.path} HTTP/1.1\r\nHost: gunicorn\r\nConnection: close\r\n\r\n`);
    if (resetAfterMs !== null && resetAfterMs !== undefined)
      setTimeout(() => {
        if (c.outcome !== null) return;
        c.resetS = s();
        sock.resetAndDestroy();
        done(data === '' ? 'reset' : 'reset-after-data');
      }, resetAfterMs);
  });
  sock.on('data', (b) => {
    data += b.toString('latin1');
  });
  sock.on('end', () => {
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
    if (m) c.status = Number(m[1]);
    done(m ? 'ok' : 'EOF');
    sock.destroy();
  });
  sock.on('error', (e) => done(e.code ?? String(e)));
}
plan.forEach(({ startMs }, k) => setTimeout(() => connectOne(k), startMs - (performance.now() - t0)));

const until = t0 + endMs;
while (performance.now() < until && (conns.length < plan.length || open > 0))
  await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => setTimeout(r, 300)); // the last socket states after the last outcome
sampling = false;
console.log(JSON.stringify({ t0Mono: t0Mono.toString(), t0Epoch, stillOpen: open, conns, ss: samples }));
process.exit(0);
