// What the gunicorn recorders' clients (client.mjs, timeout-client.mjs) share, run inside the
// recorder's netns: the arbiter's children from /proc, the wait until gunicorn accepts, and one
// `GET / HTTP/1.1` with `Connection: close` per connection, read to the end. A connection's
// outcome: 'ok' (the answer's status), the socket's error code (ECONNREFUSED: no listener;
// ECONNRESET: the connect succeeded and the socket was reset), or EOF (closed with no answer).
// No retries, no timeouts of their own.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** The pids of `pid`'s children (none once it is gone). */
export const childrenOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/**
 * Wait (15 s at most) until a probe connection to `port` is accepted, closed at once, and the
 * arbiter has a worker; on a timeout, print the error object and exit 1.
 */
export async function awaitGunicorn(port, arbiterPid) {
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
    if (ok && childrenOf(arbiterPid).length > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(JSON.stringify({ error: 'gunicorn did not accept within 15 s' }));
  process.exit(1);
}

/**
 * The connections to `port`, times from `s()` (s from t0): `connect(k)` opens connection k and
 * records it in `conns`; `open()` counts those not ended yet.
 */
export function connections(port, s) {
  const conns = [];
  let open = 0;
  function connect(k) {
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
  return { conns, connect, open: () => open };
}
