// The processes of the bare-app keep-alive runs (bare-l4.mjs), started inside the namespace.
//   node bare-l4-worker.mjs app <port> <name> <keepAliveTimeoutMs> [graceful|plain] [backlog]
//   node bare-l4-worker.mjs clients <port> <count> <seconds> <thinkMs> <path>
// Times are Date.now() ms (HAProxy's log clock), after a first line `listening` (app) or
// `start <ms>` (clients).
//
// The app is a bare node:http server with `server.keepAliveTimeout` set (what SREs tune, and
// leave below their clients' think time): it answers GET /health, GET /slow/<ms> after <ms>
// (a request in flight), GET /busy/<ms> after <ms> with the event loop blocked (Atomics.wait:
// nothing accept()ed meanwhile, new connects wait in the kernel's accept queue of `backlog`,
// default node's 511), anything else at once, with X-Server. `graceful`: SIGTERM calls
// server.close() (the graceful shutdown node apps write; the lab SIGKILLs it after the grace),
// logging `sigterm`; without it SIGTERM kills node (its default action). The clients are raw keep-alive
// HTTP/1.1 clients (so what they see is exact): each sends a request, waits `thinkMs` after the
// answer, sends the next on the same connection if it is still open, else on a new one; a
// connection the peer closes while idle is reported, a request answered by a close is a failure
// (no retry). Slots start `1000 / count` ms apart. Lines:
//   r <t> <slot> <outcome> <fresh> <server>   a request: 200 | EOF | ECONNRESET | <errno>; fresh 1 = on a new connection
//   x <t> <slot> <how> <idleMs> <server>      an idle connection closed by the peer: eof | reset, idle since the last answer
import http from 'node:http';
import net from 'node:net';

const [role, ...args] = process.argv.slice(2);
const HOST = '127.0.0.1';
const out = (line) => process.stdout.write(`${line}\n`);

function app([portArg, name, keepAliveArg, graceful, backlogArg = '511']) {
  const blocker = new Int32Array(new SharedArrayBuffer(4));
  const server = http.createServer((req, res) => {
    const body = `ok ${name}\n`;
    const respond = () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length, 'x-server': name });
      res.end(body);
    };
    const slow = /^\/slow\/(\d+)$/.exec(req.url ?? '');
    const busy = /^\/busy\/(\d+)$/.exec(req.url ?? '');
    if (slow) setTimeout(respond, Number(slow[1]));
    else if (busy) {
      // The event loop blocked without burning CPU (a synchronous call: a sync fs or crypto call, a
      // native module): a spin under --rt (SCHED_FIFO) starved HAProxy and the clients on the
      // 2-core lab host, whose SYNs then waited for a CPU rather than for the app.
      Atomics.wait(blocker, 0, 0, Number(busy[1]));
      respond();
    } else respond();
  });
  server.keepAliveTimeout = Number(keepAliveArg);
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  server.listen({ port: Number(portArg), host: HOST, backlog: Number(backlogArg) }, () => out('listening'));
  if (graceful === 'graceful')
    process.on('SIGTERM', () => {
      out('sigterm');
      server.close();
    });
}

function clients([port, count, seconds, thinkMs, path]) {
  const t0 = Date.now();
  const endAt = t0 + Number(seconds) * 1000;
  out(`start ${t0}`);
  const slot = (i) => {
    let socket = null;
    let busy = false;
    let fresh = 0;
    let server = '-';
    let answeredAt = 0;
    const next = () => {
      if (Date.now() + Number(thinkMs) < endAt) setTimeout(send, Number(thinkMs));
    };
    const ended = (how) => {
      if (socket === null) return;
      socket = null;
      if (busy) {
        busy = false;
        out(`r ${Date.now()} ${i} ${how === 'eof' ? 'EOF' : how === 'reset' ? 'ECONNRESET' : how} ${fresh} ${server}`);
        next();
      } else out(`x ${Date.now()} ${i} ${how} ${Date.now() - answeredAt} ${server}`);
    };
    const open = () => {
      const s = net.connect({ host: HOST, port: Number(port) });
      s.setNoDelay(true);
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString('latin1');
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        buf = buf.slice(end + 4 + len);
        server = /x-server:\s*(\S+)/i.exec(head)?.[1] ?? '-';
        busy = false;
        answeredAt = Date.now();
        out(`r ${answeredAt} ${i} ${head.split(' ')[1]} ${fresh} ${server}`);
        next();
      });
      s.on('end', () => socket === s && ended('eof'));
      s.on('error', (e) => socket === s && ended(e.code === 'ECONNRESET' ? 'reset' : e.code));
      s.on('close', () => socket === s && ended('eof'));
      return s;
    };
    const send = () => {
      fresh = socket === null ? 1 : 0;
      if (socket === null) {
        socket = open();
        server = '-';
      }
      busy = true;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: lb\r\n\r\n`);
    };
    send();
  };
  for (let i = 0; i < count; i++) setTimeout(() => slot(i), (i * 1000) / count);
  setTimeout(() => process.exit(0), Number(seconds) * 1000 + 1500);
}

if (role === 'app') app(args);
else if (role === 'clients') clients(args);
else {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}
