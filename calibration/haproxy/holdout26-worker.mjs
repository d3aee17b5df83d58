// The processes of held-out round 26's HAProxy runs (holdout26.mjs, through bare-lab.mjs), started
// inside the namespace by `ip netns exec`.
//   node holdout26-worker.mjs app <port> <name> <backlog> [delayMs]
//   node holdout26-worker.mjs clients <port> <rate/s> <count> <timeoutMs> <seconds>
// The app is a bare node:http server listening with a tiny `backlog` (listen(2): min(backlog,
// somaxconn) + 1 connections wait in the kernel's accept queue; further SYNs are dropped,
// ListenOverflows, and the connecting kernel retransmits them). It answers every request at once,
// `Connection: close` (node closes the connection after the response: HAProxy reuses none, so each
// request is one connect()), and writes a line per request it reads:
//   recv <epoch ms> <path>
// SIGSTOP / SIGCONT (bare-lab.mjs ops stop / cont) pause it: its kernel still completes handshakes
// into the accept queue while there is room.
// Held-out round 27 (holdout27.mjs): with `delayMs` > 0 it answers each /r/<k> that long after
// reading it (a timer: the event loop stays free, as a slow app awaiting its database), not watching
// its connection, and writes two more lines (the health check's GET /health is still answered at once):
//   done <epoch ms> <path>   its answer written (to a connection HAProxy may have reset: it is not told)
//   gone <epoch ms> <path>   its connection closed before the answer (HAProxy's abort)
// The clients send `count` requests, one every 1000/rate ms from the first at 1000/rate ms after
// `start` (paced, as drainsim's `arrivals: paced`), each on a new connection: `GET /r/<k>` with
// `Connection: close`, sent at the connect. A request with no answer after `timeoutMs` is given up:
// the client closes its socket (close() with nothing unread: a FIN), as an HTTP client's own timeout
// does. Lines (times in s from `start`, 3 decimals):
//   start <epoch ms>
//   q <k> <sent s> <outcome> <done s>   outcome: 200 (an answer) | timeout (given up) | EOF | ECONNRESET | <errno>
import http from 'node:http';
import net from 'node:net';

const [role, ...args] = process.argv.slice(2);
const HOST = '127.0.0.1';
const out = (line) => process.stdout.write(`${line}\n`);

function app([portArg, name, backlogArg, delayArg]) {
  const delayMs = Number(delayArg ?? 0);
  const server = http.createServer((req, res) => {
    out(`recv ${Date.now()} ${req.url}`);
    const body = `ok ${name}\n`;
    const answer = () => {
      res.writeHead(200, {
        'content-type': 'text/plain',
        'content-length': body.length,
        'x-server': name,
        connection: 'close',
      });
      res.end(body);
    };
    if (delayMs <= 0 || !req.url.startsWith('/r/')) return answer();
    let answered = false;
    res.on('error', () => {}); // a write to a connection HAProxy reset: the late answer is lost
    res.on('close', () => {
      if (!answered) out(`gone ${Date.now()} ${req.url}`);
    });
    setTimeout(() => {
      answered = true;
      answer();
      out(`done ${Date.now()} ${req.url}`);
    }, delayMs);
  });
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  server.listen({ port: Number(portArg), host: HOST, backlog: Number(backlogArg) }, () => out('listening'));
}

function clients([port, rateArg, countArg, timeoutArg, secondsArg]) {
  const t0 = Date.now();
  const start = performance.now();
  out(`start ${t0}`);
  const rel = () => ((performance.now() - start) / 1000).toFixed(3);
  const gap = 1000 / Number(rateArg);
  const send = (k) => {
    const sentAt = rel();
    let done = false;
    const socket = net.connect({ host: HOST, port: Number(port) });
    socket.setNoDelay(true);
    const finish = (outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      out(`q ${k} ${sentAt} ${outcome} ${rel()}`);
      socket.destroy();
    };
    const timer = setTimeout(() => finish('timeout'), Number(timeoutArg));
    let buf = '';
    socket.on('connect', () => socket.write(`GET /r/${k} HTTP/1.1\r\nhost: drainsim\r\nconnection: close\r\n\r\n`));
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length:\s*(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length >= end + 4 + len) finish(buf.split(' ')[1]);
    });
    socket.on('error', (e) => finish(e.code ?? 'ERR'));
    socket.on('end', () => finish('EOF'));
    socket.on('close', () => finish('EOF'));
  };
  // Each request at its own time from the start (not chained: a late timer does not shift the rest).
  const count = Number(countArg);
  let next = 1;
  const tick = () => {
    const elapsed = performance.now() - start;
    while (next <= count && next * gap <= elapsed) send(next++);
    if (next <= count) setTimeout(tick, Math.max(0, next * gap - (performance.now() - start)));
  };
  setTimeout(tick, gap);
  setTimeout(() => process.exit(0), Number(secondsArg) * 1000 + 500);
}

if (role === 'app') app(args);
else if (role === 'clients') clients(args);
else {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}
