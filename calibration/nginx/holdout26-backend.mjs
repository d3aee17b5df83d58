// The upstream of held-out round 26's nginx run (holdout26.mjs), run inside the namespace by `ip netns
// exec`:
//   node holdout26-backend.mjs <port> [keepAliveTimeoutMs, ignored] [backlog]
// A slow app that does not watch its connection while it works (a gunicorn sync worker in a view, a
// thread blocked in a query): a raw TCP server (allowHalfOpen: nginx's FIN does not close its side)
// that reads one request, answers `GET …?ms=N` N ms later (200, Content-Length 2, Connection: close)
// and then half-closes. One JSON line on stdout per event, t = CLOCK_MONOTONIC ms (process.hrtime,
// the clock of the client and the harness):
//   up-conn {id}                 a connection accepted
//   up-req {id, path}            its request read
//   up-fin {id}                  nginx's FIN read (its end of the connection closed)
//   up-write {id, fin}           the late answer written (fin: nginx's FIN had come before)
//   up-error {id, code, written} a socket error (ECONNRESET: an RST), after the answer or not
//   up-close {id}
import net from 'node:net';

const port = Number(process.argv[2]);
const backlog = Number(process.argv[4] ?? 4096);
const emit = (obj) => process.stdout.write(`${JSON.stringify({ t: Number(process.hrtime.bigint()) / 1e6, ...obj })}\n`);
let next = 0;

const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  const id = ++next;
  let buf = '';
  let fin = false;
  let written = false;
  emit({ ev: 'up-conn', id });
  socket.on('data', (chunk) => {
    if (buf === null) return;
    buf += chunk.toString('latin1');
    if (!buf.includes('\r\n\r\n')) return;
    const path = buf.split(' ')[1] ?? '/';
    buf = null;
    emit({ ev: 'up-req', id, path });
    const ms = Number(new URL(path, 'http://x').searchParams.get('ms') ?? 0);
    setTimeout(() => {
      written = true;
      emit({ ev: 'up-write', id, fin });
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
    }, ms);
  });
  socket.on('end', () => {
    fin = true;
    emit({ ev: 'up-fin', id });
  });
  socket.on('error', (err) => emit({ ev: 'up-error', id, code: err.code ?? 'error', written }));
  socket.on('close', () => emit({ ev: 'up-close', id }));
});

server.listen({ port, host: '127.0.0.1', backlog }, () => process.stdout.write('listening\n'));
