// Backend and clients of the HAProxy close experiments (closes.mjs), run inside the namespace.
//   node closes-worker.mjs backend <port>
//   node closes-worker.mjs idle <port> <connections> <seconds> <reconnectMs>
//   node closes-worker.mjs ws503 <port> <rate> <seconds> <closeAfterMs>
//   node closes-worker.mjs perreq <port> <rate> <seconds>
// Every line on stdout is `<event> <ms since start> …`; times are CLOCK_MONOTONIC.
//
// The backend plays nginx with a long keepalive_timeout: raw HTTP/1.1 over net, it answers every
// request `200` with Content-Length (kept alive), an `Upgrade: websocket` request `503` (kept
// alive, as nginx answers an error page), and never closes a connection first; when the peer's
// FIN comes it closes its side (allowHalfOpen false). It reports how each connection ended: `fin`
// (the peer's FIN, clean), `reset` (ECONNRESET), so HAProxy's RSTs are counted at the receiver.
import net from 'node:net';

const [, , role, portArg, ...rest] = process.argv;
const port = Number(portArg);
const HOST = '127.0.0.1';
const t0 = process.hrtime.bigint();
const now = () => Number(process.hrtime.bigint() - t0) / 1e6;
const out = (line) => process.stdout.write(`${line}\n`);

/** Calls onResponse(status) for each complete response (headers + Content-Length body) on socket. */
function responses(socket, onResponse) {
  let buf = '';
  socket.on('data', (d) => {
    buf += d.toString('latin1');
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.slice(0, end);
      const len = Number(head.match(/content-length:\s*(\d+)/i)?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      buf = buf.slice(end + 4 + len);
      onResponse(Number(head.split(' ')[1]));
    }
  });
}

function backend() {
  let next = 0;
  const server = net.createServer({ allowHalfOpen: false }, (socket) => {
    const id = next++;
    let ended = null;
    let buf = '';
    out(`accept ${now().toFixed(1)} ${id} ${socket.remotePort}`);
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const body = /^upgrade:\s*websocket/im.test(head) ? '' : 'ok\n';
        const status = body ? '200 OK' : '503 Service Unavailable';
        socket.write(`HTTP/1.1 ${status}\r\nContent-Length: ${body.length}\r\nContent-Type: text/plain\r\n\r\n${body}`);
      }
    });
    socket.on('end', () => {
      ended ??= 'fin';
      out(`end ${now().toFixed(1)} ${id} fin`);
    });
    socket.on('error', (e) => {
      out(`end ${now().toFixed(1)} ${id} ${e.code === 'ECONNRESET' ? 'reset' : e.code}${ended ? ' after-fin' : ''}`);
      ended ??= 'reset';
    });
  });
  server.listen({ port, host: HOST, backlog: 4096 }, () => out('listening'));
}

/**
 * `connections` keep-alive clients: each sends one request, then stays idle until the proxy
 * closes the connection (its idle timeout), reports how (`eof` = FIN, `reset`) and how long after
 * the response, waits reconnectMs and starts again, until `seconds` have passed.
 */
function idle(connections, seconds, reconnectMs) {
  out('start 0');
  const open = (slot) => {
    if (now() > seconds * 1000) return;
    const socket = net.connect({ host: HOST, port });
    let answeredAt = null;
    let done = false;
    const finish = (how) => {
      if (done) return;
      done = true;
      out(`close ${now().toFixed(1)} ${slot} ${how} ${answeredAt === null ? '-' : (now() - answeredAt).toFixed(1)}`);
      socket.destroy();
      setTimeout(() => open(slot), reconnectMs);
    };
    socket.on('connect', () => socket.write(`GET /idle HTTP/1.1\r\nHost: lb\r\n\r\n`));
    responses(socket, (status) => {
      answeredAt = now();
      out(`response ${answeredAt.toFixed(1)} ${slot} ${status}`);
    });
    socket.on('end', () => finish('eof'));
    socket.on('error', (e) => finish(e.code === 'ECONNRESET' ? 'reset' : e.code));
  };
  for (let i = 0; i < connections; i++) setTimeout(() => open(i), (i * 1000) / connections);
}

/**
 * Open-loop WebSocket upgrades (`rate` per second, a new connection each). The backend answers
 * 503; the client keeps the connection closeAfterMs and then closes it itself (a browser fails the
 * WebSocket connection, RFC 6455 §4.1), unless the proxy's FIN (`eof`) or RST came first.
 */
function ws503(rate, seconds, closeAfterMs) {
  out('start 0');
  let n = 0;
  const tick = setInterval(() => {
    if (now() > seconds * 1000) {
      clearInterval(tick);
      return;
    }
    const id = n++;
    const socket = net.connect({ host: HOST, port });
    let done = false;
    const finish = (how) => {
      if (done) return;
      done = true;
      out(`close ${now().toFixed(1)} ${id} ${how}`);
      if (how === 'client') socket.end();
      else socket.destroy();
    };
    socket.on('connect', () =>
      socket.write(
        'GET /ws HTTP/1.1\r\nHost: lb\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    );
    responses(socket, (status) => {
      out(`response ${now().toFixed(1)} ${id} ${status}`);
      setTimeout(() => finish('client'), closeAfterMs);
    });
    socket.on('end', () => finish('eof'));
    socket.on('error', (e) => finish(e.code === 'ECONNRESET' ? 'reset' : e.code));
  }, 1000 / rate);
}

/** Open-loop requests, a new connection each, closed by the client once answered (hc-cascade's clients). */
function perreq(rate, seconds) {
  out('start 0');
  let n = 0;
  const tick = setInterval(() => {
    if (now() > seconds * 1000) {
      clearInterval(tick);
      return;
    }
    const id = n++;
    const socket = net.connect({ host: HOST, port });
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: lb\r\n\r\n'));
    responses(socket, (status) => {
      out(`response ${now().toFixed(1)} ${id} ${status}`);
      socket.end();
    });
    socket.on('end', () => socket.destroy());
    socket.on('error', (e) => out(`error ${now().toFixed(1)} ${id} ${e.code}`));
  }, 1000 / rate);
}

if (role === 'backend') backend();
else if (role === 'idle') idle(Number(rest[0]), Number(rest[1]), Number(rest[2]));
else if (role === 'ws503') ws503(Number(rest[0]), Number(rest[1]), Number(rest[2]));
else if (role === 'perreq') perreq(Number(rest[0]), Number(rest[1]));
else throw new Error(`unknown role ${role}`);
