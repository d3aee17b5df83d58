// The client of calibration/gunicorn/holdout30.mjs (held-out round 30), run inside the recorder's
// netns; timeout-client.mjs with a path per connection:
//   node holdout30-client.mjs <port> <arbiterPid> <ms:path,...> <endMs>
// Waits until gunicorn accepts (a probe connection, closed at once) and 1 s more, takes t0, and
// opens connection k at its ms: one `GET /<path> HTTP/1.1` with `Connection: close`, read to the
// end. Each connection's outcome: 'ok' (the answer's status), the socket's error code, or EOF
// (closed with no answer). Polls the arbiter's children every 5 ms and records each change of
// worker pids (a killed worker replaced). No retries, no timeouts of its own. Prints one JSON
// object on stdout; times are s from t0.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const [portText, arbiterText, planText, endText] = process.argv.slice(2);
const port = Number(portText);
const arbiterPid = Number(arbiterText);
const plan = planText.split(',').map((x) => {
  const [ms, path] = x.split(':');
  return { ms: Number(ms), path };
});
const starts = plan.map((p) => p.ms);
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
    if (ok && childrenOf(arbiterPid).length > 0) return true;
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
const s = () => Math.round(performance.now() - t0) / 1000;
const workers = [{ s: 0, pids: childrenOf(arbiterPid) }];
const poll = setInterval(() => {
  const pids = childrenOf(arbiterPid);
  if (pids.join() !== workers[workers.length - 1].pids.join()) workers.push({ s: s(), pids });
}, 5);

const conns = [];
let open = 0;
function connectOne(k) {
  const c = { k, path: plan[k].path, startS: s(), connectS: null, outcome: null, status: null, endS: null };
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
    sock.write(`GET /${c.path} HTTP/1.1\r\nHost: gunicorn\r\nConnection: close\r\n\r\n`);
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
starts.forEach((ms, k) => setTimeout(() => connectOne(k), ms - (performance.now() - t0)));

const until = t0 + endMs;
while (performance.now() < until && (conns.length < starts.length || open > 0))
  await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => setTimeout(r, 500)); // a last worker change after the last outcome
clearInterval(poll);
console.log(JSON.stringify({ workers, stillOpen: open, conns }));
process.exit(0);
