// The upstream nginx proxies to, run inside the namespace by `ip netns exec`:
//   node backend.mjs <port> [keepAliveTimeoutMs] [backlog]
// GET /            200, 2-byte body, Content-Length (so nginx passes it on unchunked)
// GET /slow?ms=N   the same after N ms (a request still in flight when nginx reloads)
// GET /ws[?push=N] with `Upgrade: websocket`: answers 101 and keeps the raw socket as a tunnel.
//                  It never echoes (so "client traffic only" stays one-directional); with push=N
//                  it writes 8 bytes every N ms (server-side traffic).
// keepAliveTimeoutMs (default 0 = never): node closes a kept-alive connection idle that long — the
// backend side of the proxy→backend keepalive race.
// One JSON line on stdout per accepted connection ({"ev":"up-conn",t}), per connection's first
// request ({"ev":"up-first",t,path}), per kept-alive connection
// node closed after idleMs ({"ev":"up-idle-close",t,idleMs}, with keepAliveTimeoutMs) and per tunnel event
// ({"ev":"up-open"|"up-close",t,id,how,rx,tx}); t = CLOCK_MONOTONIC ms (process.hrtime), the clock
// of the client and the harness.
import http from 'node:http';

const port = Number(process.argv[2]);
const keepAliveMs = Number(process.argv[3] ?? 0);
// listen(2)'s backlog: the kernel queues backlog + 1 handshaken connections not yet accept()ed
// (a SIGSTOPped backend accepts none) and drops further SYNs.
const backlog = Number(process.argv[4] ?? 4096);
const emit = (obj) => process.stdout.write(`${JSON.stringify({ t: Number(process.hrtime.bigint()) / 1e6, ...obj })}\n`);

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const reply = () => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '2' });
    res.end('ok');
  };
  // /slow, or /pool<i>/slow behind an upstream block (proxy_pass without a URI passes it whole).
  if (url.pathname.endsWith('/slow')) setTimeout(reply, Number(url.searchParams.get('ms') ?? 300));
  else reply();
});
// Never let node's own timers close a tunnel or a request; idle kept-alive connections only when
// asked (nginx keeps upstream connections only with `keepalive N` in the upstream block).
server.keepAliveTimeout = keepAliveMs;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.timeout = 0;

server.on('connection', (socket) => {
  emit({ ev: 'up-conn' });
  // With keepAliveMs: how long after its last response node's idle timer closed the connection
  // (node 20: keepAliveTimeout + 1 s) — the backend's achieved timer lateness.
  if (keepAliveMs > 0) {
    socket.on('close', () => {
      if (socket.lastDone != null && !socket.upgraded) {
        const idleMs = Math.round((Number(process.hrtime.bigint()) / 1e6 - socket.lastDone) * 10) / 10;
        emit({ ev: 'up-idle-close', idleMs });
      }
    });
  }
});
server.on('request', (req, res) => {
  // The first request on each connection names the upstream block (/pool<i>/) that opened it.
  if (!req.socket.firstSeen) {
    req.socket.firstSeen = true;
    emit({ ev: 'up-first', path: req.url });
  }
  res.on('finish', () => {
    req.socket.lastDone = Number(process.hrtime.bigint()) / 1e6;
  });
});

let tunnels = 0;
server.on('upgrade', (req, socket) => {
  socket.upgraded = true;
  const url = new URL(req.url, 'http://x');
  const id = url.searchParams.get('id') ?? String(++tunnels);
  const push = Number(url.searchParams.get('push') ?? 0);
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  let rx = 0;
  let tx = 0;
  let how = null;
  emit({ ev: 'up-open', id });
  const timer =
    push > 0
      ? setInterval(() => {
          socket.write('srv-ping');
          tx += 8;
        }, push)
      : null;
  socket.on('data', (chunk) => {
    rx += chunk.length;
  });
  socket.on('end', () => {
    how ??= 'eof';
    socket.end(); // http.Server sockets allow half-open; a tunnel ends with either side
  });
  socket.on('error', (err) => {
    how ??= err.code ?? 'error';
  });
  socket.on('close', () => {
    if (timer) clearInterval(timer);
    emit({ ev: 'up-close', id, how: how ?? 'closed', rx, tx });
  });
});

server.listen({ port, host: '127.0.0.1', backlog }, () => process.stdout.write('listening\n'));
