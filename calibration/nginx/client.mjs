// The clients of an nginx experiment, run inside the namespace by `ip netns exec`:
//   node client.mjs <port> '<json spec>'
// spec: { endMs, groups: [...] } with groups of two kinds:
//   { kind: 'tunnel', id, mode: 'idle'|'client'|'server'|'both', intervalMs, startMs, closeAtMs, path? }
//       one upgraded connection (GET /ws, or `path` + `ws` (held-out round 19: /pool0/ws), Upgrade: websocket); `client`/`both` send 8 bytes every
//       intervalMs, `server`/`both` ask the backend to push every intervalMs; the client closes
//       it (FIN) at closeAtMs if it is still open.
//   { kind: 'loop', group, conns, thinkMs, path, startMs, staggerMs, stopMs, method?, pathOffset? }
//       `conns` keepalive connections, each a closed loop: request, response, think thinkMs, next
//       request on the same connection (thinkMs null: one request, then the connection idles
//       until someone closes it). A connection closed by the server is replaced by a new one.
//       `{c}` in path becomes the connection's index + pathOffset; method POST sends a 2-byte body;
//       thinkStepMs: connection c thinks thinkMs + c × thinkStepMs.
//       dropBackoffMs: a connection the server closed before answering any request on it (accepted,
//       then dropped) is replaced after this long (default 0: at once).
//       lazyReconnect: a connection the server closed during the think time is replaced when the
//       next request is due, as an HTTP client's pool does (default false: at once, and the new
//       connection waits there for the rest of the think time).
//       keepDue (held-out round 10): a replacement that the server closes too before its request
//       (nginx's client_header_timeout) is replaced again at once and the new one still waits for
//       the request's planned time, as drainsim's clients.http.reconnect eager does; likewise the
//       replacement of a connection whose answer said `Connection: close` (default false: such a
//       replacement sends at once, whatever think time was left).
//       giveUpMs (held-out round 26): the client closes the connection (FIN) when a request has no
//       answer that long after it was sent; the request's out is `gave-up`.
// Every event is one JSON line on stdout, t = CLOCK_MONOTONIC ms (process.hrtime):
//   tun-open / tun-close {id, how, rx, tx}
//   req {g, c, n, ts, t, think, out, status, conn}  out: ok | reset | eof | <errno>
//        ts = send time, think = ts − previous response (ms), conn = Connection header
//   stale {g, c}      the server's FIN arrived during the think time (nothing was sent)
//   conn-close {g, c, how, idle}   a connection ended (idle: no request outstanding)
//   connect-fail {g, c, how}        connect() failed (e.g. ECONNREFUSED after nginx -s quit)
import net from 'node:net';

const port = Number(process.argv[2]);
const spec = JSON.parse(process.argv[3]);
const HOST = '127.0.0.1';
// CLOCK_MONOTONIC in ms, the same clock in every process (wall-clock time drifts from it on this
// VM, and performance.timeOrigin differs between processes).
const now = () => Number(process.hrtime.bigint()) / 1e6;
const T0 = now();
let out = [];
const emit = (obj) => out.push(`${JSON.stringify({ t: Math.round(now() * 10) / 10, ...obj })}\n`);
const flush = () => {
  if (out.length) process.stdout.write(out.join(''));
  out = [];
};
setInterval(flush, 50);
const sockets = new Set();
const at = (ms, fn) => setTimeout(fn, Math.max(0, T0 + ms - now()));

function tunnel(g) {
  const socket = net.connect({ host: HOST, port });
  sockets.add(socket);
  const push = g.mode === 'server' || g.mode === 'both' ? g.intervalMs : 0;
  let upgraded = false;
  let head = '';
  let rx = 0;
  let tx = 0;
  let how = null;
  let timer = null;
  if (g.closeAtMs != null) {
    at(g.closeAtMs, () => {
      how ??= 'client-closed';
      socket.end();
    });
  }
  socket.on('connect', () => {
    socket.write(
      `GET ${g.path ?? '/'}ws?id=${g.id}&push=${push} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
    );
  });
  socket.on('data', (chunk) => {
    if (!upgraded) {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      emit({ ev: 'tun-open', id: g.id, status: Number(head.split(' ')[1]) });
      rx += head.length - end - 4;
      if (g.mode === 'client' || g.mode === 'both') {
        timer = setInterval(() => {
          socket.write('cli-ping');
          tx += 8;
        }, g.intervalMs);
      }
      return;
    }
    rx += chunk.length;
  });
  socket.on('end', () => {
    how ??= 'eof';
  });
  socket.on('error', (err) => {
    how ??= err.code ?? 'error';
  });
  socket.on('close', () => {
    if (timer) clearInterval(timer);
    sockets.delete(socket);
    emit({ ev: 'tun-close', id: g.id, how: how ?? (socket.byClient ? 'client-closed' : 'closed'), rx, tx, upgraded });
  });
}

/** One keepalive connection of a loop group; returns nothing, replaces itself when closed. */
function loopConnection(g, c, firstDelayMs = 0) {
  if (now() - T0 >= g.stopMs) return;
  const socket = net.connect({ host: HOST, port });
  sockets.add(socket);
  let n = 0;
  let pending = null; // { ts, buf, think }
  let lastDone = null;
  let ended = false;
  let thinkTimer = null;
  let thinkDue = null;
  let closedHow = null;
  let connected = false;
  const send = () => {
    thinkTimer = null;
    if (now() - T0 >= g.stopMs) {
      socket.byClient = true;
      socket.destroy();
      return;
    }
    if (ended) {
      emit({ ev: 'stale', g: g.group, c });
      return; // 'close' opens the replacement
    }
    const ts = now();
    pending = { ts, buf: '', think: lastDone === null ? null : Math.round((ts - lastDone) * 10) / 10 };
    // giveUpMs (held-out round 26): an HTTP client's own timeout — no answer that long after the
    // send, the client closes its socket (nothing unread: a FIN) and the request is `gave-up`.
    if (g.giveUpMs != null)
      pending.timer = setTimeout(() => {
        closedHow ??= 'gave-up';
        socket.byClient = true;
        socket.destroy();
      }, g.giveUpMs);
    const path = g.path.replace('{c}', String(c + (g.pathOffset ?? 0)));
    socket.write(
      g.method === 'POST'
        ? `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi`
        : `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
  };
  const finish = (outcome, status, conn) => {
    const p = pending;
    pending = null;
    clearTimeout(p.timer);
    n++;
    emit({ ev: 'req', g: g.group, c, n, ts: Math.round(p.ts * 10) / 10, think: p.think, out: outcome, status, conn });
  };
  // A replacement for a connection closed during its think time sends when the old one would have.
  socket.on('connect', () => {
    connected = true;
    if (firstDelayMs > 0) {
      if (g.keepDue) thinkDue = now() + firstDelayMs;
      thinkTimer = setTimeout(send, firstDelayMs);
    } else send();
  });
  socket.on('data', (chunk) => {
    if (!pending) return;
    pending.buf += chunk.toString('latin1');
    const end = pending.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const headers = pending.buf.slice(0, end).split('\r\n');
    const status = Number(headers[0].split(' ')[1]);
    const field = (name) =>
      headers
        .find((h) => h.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim() ?? null;
    const length = Number(field('content-length') ?? 0);
    if (pending.buf.length < end + 4 + length) return;
    const conn = field('connection');
    finish('ok', status, conn);
    lastDone = now();
    // The server's FIN follows; 'close' replaces us (keepDue: the replacement waits for the think's end).
    if (conn?.toLowerCase() === 'close' && !g.keepDue) return;
    if (g.thinkMs === null) return; // idle from now on
    const think = g.thinkMs + c * (g.thinkStepMs ?? 0);
    thinkDue = now() + think;
    thinkTimer = setTimeout(send, think);
  });
  socket.on('end', () => {
    ended = true;
    closedHow ??= 'eof';
  });
  socket.on('error', (err) => {
    closedHow ??= err.code ?? 'error';
  });
  socket.on('close', () => {
    sockets.delete(socket);
    if (!connected) {
      emit({ ev: 'connect-fail', g: g.group, c, how: closedHow ?? 'closed' });
      setTimeout(() => loopConnection(g, c), 200); // no tight loop while nothing listens
      return;
    }
    if (socket.byClient) closedHow ??= 'client-closed';
    if (pending) finish(closedHow ?? 'closed', null, null);
    const idle = thinkTimer !== null || g.thinkMs === null;
    const rest = thinkTimer !== null && thinkDue !== null ? Math.max(0, thinkDue - now()) : 0;
    if (thinkTimer) clearTimeout(thinkTimer);
    emit({ ev: 'conn-close', g: g.group, c, how: closedHow ?? 'closed', idle, n });
    if (g.thinkMs === null) return;
    const dropped = lastDone === null && closedHow !== 'client-closed'; // nothing answered on it
    if (dropped && g.dropBackoffMs) setTimeout(() => loopConnection(g, c, rest), g.dropBackoffMs);
    else if (g.lazyReconnect && rest > 0) setTimeout(() => loopConnection(g, c), rest);
    else loopConnection(g, c, rest);
  });
}

for (const g of spec.groups) {
  if (g.kind === 'tunnel') at(g.startMs ?? 0, () => tunnel(g));
  else for (let c = 0; c < g.conns; c++) at((g.startMs ?? 0) + c * (g.staggerMs ?? 0), () => loopConnection(g, c));
}
at(spec.endMs, () => {
  for (const s of sockets) {
    s.byClient = true;
    s.destroy();
  }
  setTimeout(() => {
    flush();
    process.stdout.write('done\n', () => process.exit(0));
  }, 200);
});
process.stdout.write(`started ${T0}\n`);
