// One process of a HAProxy calibration run, started inside the namespace by `ip netns exec`.
//   node worker.mjs backend <port> <name> [delayMs]
// With a delayMs (held-out round 21: a server slower than its peers), every request but GET /health
// and the paths below with their own timing is answered that long after it is read.
//   node worker.mjs requests <port> <rate/s> <seconds> <connections> <meanLifetimeS|0> <seed> <cookies 0|1> [path] [sourceBase]
// With a sourceBase (an IPv4 address on the namespace's lo), connection slot i connects from address
// sourceBase + i, so `balance source` sees one client address per slot (held-out round 4).
// With cookies, each connection slot is one user: it keeps the Set-Cookie it got and sends it on
// every later request, over this connection and the ones that replace it.
//   node worker.mjs streams <port> <count> <seconds>
//   node worker.mjs tunnels <port> <count> <seconds> <path>
// Backends are plain HTTP/1.1 servers, so the same clients run through HAProxy in tcp mode (bytes
// relayed, one client connection pinned to one server) and in http mode (requests balanced one by
// one). Clients speak HTTP/1.1 over raw sockets so that what the client sees is exact: a response
// status, a FIN before the response ("EOF"), a RST ("ECONNRESET") or nothing ("timeout").
// Client output, one line per event, times in ms since the epoch (Date.now(), the clock HAProxy's
// logs use too), after a first line `start <ms>`:
//   r <tSent> <tDone> <outcome> <server|-> <slot>   one request: ok | http<status> | EOF | ECONNRESET | timeout | <errno>
//   x <t> <why> <server|->                    a connection closed while idle (why: EOF, ECONNRESET, lifetime)
//   s <t> <event> <index> <server|-> <ticks>  a stream: open, then end with EOF | ECONNRESET | complete | timeout
//   skip <t>                                  a request was due but the pool was full and busy
//   late <t> <n>                              n requests dropped because this client stalled
//   done <sent>
import http from 'node:http';
import net from 'node:net';

const [role, ...args] = process.argv.slice(2);
const HOST = '127.0.0.1';
/** A request with no answer after this long counts as "timeout" (longer than HAProxy's 3 retries). */
const REQUEST_TIMEOUT_MS = 8000;
const STREAM_TICK_MS = 250;

if (role === 'backend') {
  const [portArg, name, delayArg] = args;
  // Held-out round 21: this server's own response time (ms; absent or 0 before round 21: at once).
  const delayMs = Number(delayArg ?? 0);
  // SIGUSR2 (lab.mjs op `health404`, session 23): an operator's maintenance file — GET /health,
  // HAProxy's check, answers 404 from then on, every other request as before (`http-check
  // disable-on-404`). No run before session 23 sends it.
  let healthStatus = 200;
  process.on('SIGUSR2', () => {
    healthStatus = 404;
  });
  // SIGHUP (lab.mjs op `health200`, session 24, held-out round 16): the maintenance file removed —
  // /health answers 200 again. No run before round 16 sends it.
  process.on('SIGHUP', () => {
    healthStatus = 200;
  });
  const server = http.createServer((req, res) => {
    if (req.url === '/health' && healthStatus === 404) {
      const body = 'maintenance\n';
      res.writeHead(404, { 'content-type': 'text/plain', 'content-length': body.length, 'x-server': name });
      res.end(body);
      return;
    }
    if (req.url === '/stream') {
      // A response that never ends: one chunk every STREAM_TICK_MS (a long poll / SSE / tunnel).
      res.writeHead(200, { 'content-type': 'text/plain', 'x-server': name });
      res.write(`${name}\n`);
      const timer = setInterval(() => res.write('.'), STREAM_TICK_MS);
      res.on('close', () => clearInterval(timer));
      return;
    }
    const body = `ok ${name}\n`;
    const respond = () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length, 'x-server': name });
      res.end(body);
    };
    // GET /halfclose/<ms>: a never-ending response that stops after <ms> and half-closes: the
    // server sends its FIN and keeps reading (held-out round 4, a tunnel's server side ending).
    const halfClose = /^\/halfclose\/(\d+)$/.exec(req.url ?? '');
    if (halfClose) {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-server': name });
      res.write(`${name}\n`);
      const timer = setInterval(() => res.write('.'), STREAM_TICK_MS);
      setTimeout(() => {
        clearInterval(timer);
        req.socket.end();
      }, Number(halfClose[1]));
      return;
    }
    // GET /slow/<ms>: a response that takes <ms> (a busy application), for queueing runs.
    const slow = /^\/slow\/(\d+)$/.exec(req.url ?? '');
    if (slow) setTimeout(respond, Number(slow[1]));
    else if (delayMs > 0 && req.url !== '/health') setTimeout(respond, delayMs);
    else respond();
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  server.requestTimeout = 0;
  server.listen({ port: Number(portArg), host: HOST, backlog: 511 }, () => process.stdout.write('listening\n'));
} else if (role === 'requests') {
  runRequests([...args.slice(0, 7).map(Number), args[7], args[8]]);
} else if (role === 'streams') {
  runStreams(args.map(Number));
} else if (role === 'tunnels') {
  runTunnels(args);
} else {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}

/** mulberry32: a small seeded generator, so connection lifetimes replay from the seed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Minimal HTTP/1.1 response reader: status, headers, then a Content-Length body or a chunked body
 * (counted, the terminating 0-chunk noticed). Calls onHead(status, headers) and onDone() per response.
 */
function responseReader(onHead, onBody, onDone) {
  let buf = Buffer.alloc(0);
  let head = null;
  let remaining = 0;
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (!head) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        buf = buf.subarray(end + 4);
        const status = Number(lines[0].split(' ')[1]);
        const headers = {};
        for (const line of lines.slice(1)) {
          const i = line.indexOf(':');
          if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        head = { status, headers, chunked: /chunked/i.test(headers['transfer-encoding'] ?? '') };
        remaining = Number(headers['content-length'] ?? 0);
        onHead(status, headers);
      }
      if (head.chunked) {
        onBody(buf);
        const done = buf.includes('\r\n0\r\n\r\n') || buf.subarray(0, 5).toString() === '0\r\n\r\n';
        buf = Buffer.alloc(0);
        if (!done) return;
        head = null;
        onDone();
        return;
      }
      const take = Math.min(remaining, buf.length);
      remaining -= take;
      buf = buf.subarray(take);
      if (remaining > 0) return;
      const h = head;
      head = null;
      onDone(h);
    }
  };
}

/** IPv4 dotted quad + k (sourceBase of a slot), or undefined without a base. */
function addressPlus(base, k) {
  if (!base || base === '-') return undefined;
  const n = (base.split('.').reduce((a, x) => a * 256 + Number(x), 0) + k) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

function runRequests([port, rate, seconds, connections, meanLifetimeS, seed, useCookies, path = '/', sourceBase]) {
  const cookies = [];
  const random = rng(seed || 1);
  const start = performance.now();
  const now = () => Date.now();
  process.stdout.write(`start ${now()}\n`);
  let out = [];
  const emit = (line) => out.push(`${line}\n`);
  const flush = () => {
    if (out.length > 0) process.stdout.write(out.join(''));
    out = [];
  };
  let stopping = false;
  let sent = 0;
  const conns = [];
  /**
   * Bound on the pool: beyond it a due request is skipped (and counted), never queued. With a
   * sourceBase every slot is one client address: no extra connection (a new address) is opened.
   */
  const maxConnections = addressPlus(sourceBase, 0) ? connections : Math.max(10 * connections, 200);

  const openConn = (slot) => {
    const localAddress = addressPlus(sourceBase, slot);
    const socket = net.connect({ host: HOST, port, ...(localAddress ? { localAddress } : {}) });
    socket.setNoDelay(true);
    const conn = { socket, slot, busy: false, pending: null, server: '-', closed: false, retire: false };
    conns[slot] = conn;
    if (meanLifetimeS > 0) {
      // Exponential lifetime: the client closes the connection (FIN) once it is due and idle.
      const life = -Math.log(1 - random()) * meanLifetimeS * 1000;
      conn.lifeTimer = setTimeout(() => {
        conn.retire = true;
        if (!conn.busy) retire(conn);
      }, life);
    }
    const finish = (outcome) => {
      const p = conn.pending;
      if (!p) return;
      clearTimeout(p.timer);
      conn.pending = null;
      conn.busy = false;
      emit(`r ${p.tSent} ${now()} ${outcome} ${p.server ?? conn.server} ${slot}`);
    };
    const read = responseReader(
      (status, headers) => {
        if (conn.pending) conn.pending.server = headers['x-server'] ?? '-';
        if (headers['x-server']) conn.server = headers['x-server'];
        if (conn.pending) conn.pending.status = status;
        if (/close/i.test(headers.connection ?? '')) conn.closeAfter = true;
        if (useCookies && headers['set-cookie']) cookies[slot] = headers['set-cookie'].split(';')[0];
      },
      () => {},
      () => {
        const status = conn.pending?.status;
        finish(status === 200 ? 'ok' : `http${status}`);
        if (conn.closeAfter || conn.retire) retire(conn);
      },
    );
    socket.on('data', read);
    socket.on('connect', () => {
      if (conn.sendOnConnect && !conn.busy && !conn.closed) conn.send();
    });
    const lost = (why) => {
      if (conn.closed) return;
      conn.closed = true;
      clearTimeout(conn.lifeTimer);
      if (conn.pending) finish(why);
      else if (!conn.retired) emit(`x ${now()} ${why} ${conn.server}`);
      socket.destroy();
      if (!stopping) openConn(slot);
    };
    socket.on('error', (err) => lost(err.code ?? 'ERR'));
    socket.on('end', () => lost('EOF'));
    socket.on('close', () => lost('EOF'));
    conn.send = () => {
      conn.busy = true;
      const tSent = now();
      conn.pending = { tSent, timer: setTimeout(() => lost('timeout'), REQUEST_TIMEOUT_MS) };
      sent++;
      const cookie = useCookies && cookies[slot] ? `cookie: ${cookies[slot]}\r\n` : '';
      socket.write(`GET ${path} HTTP/1.1\r\nhost: drainsim\r\n${cookie}\r\n`);
    };
  };
  const retire = (conn) => {
    if (conn.closed) return;
    conn.retired = true;
    emit(`x ${now()} lifetime ${conn.server}`);
    conn.socket.end();
    conn.closed = true;
    if (!stopping) openConn(conn.slot);
  };
  for (let i = 0; i < connections; i++) openConn(i);

  // Open-loop requests at a fixed rate, each on the next idle connection (round robin over the
  // slots); when none is idle the request is skipped and counted, so the rate stays bounded.
  let due = 0;
  let cursor = 0;
  const timer = setInterval(() => {
    const elapsed = performance.now() - start;
    const target = Math.floor((Math.min(elapsed, seconds * 1000) * rate) / 1000);
    // After a stall of this process (a loaded machine), requests more than 0.5 s overdue are
    // dropped and counted, not sent in a burst that would distort what follows.
    const lag = target - due - Math.ceil(rate / 2);
    if (lag > 0) {
      due += lag;
      emit(`late ${now()} ${lag}`);
    }
    while (due < target) {
      due++;
      let picked = null;
      for (let k = 0; k < conns.length; k++) {
        const c = conns[(cursor + k) % conns.length];
        if (c && !c.busy && !c.closed && !c.retire && c.socket.readyState === 'open') {
          picked = c;
          cursor = (cursor + k + 1) % conns.length;
          break;
        }
      }
      if (picked) picked.send();
      else if (conns.length < maxConnections) {
        // Every connection is busy (requests held by retries or a hung server): open one more,
        // as an HTTP client pool would, and send on it once connected.
        const slot = conns.length;
        openConn(slot);
        conns[slot].sendOnConnect = true;
      } else emit(`skip ${now()}`);
    }
    flush();
    if (elapsed >= seconds * 1000) {
      clearInterval(timer);
      stopping = true;
      setTimeout(() => {
        flush();
        process.stdout.write(`done ${sent}\n`, () => process.exit(0));
      }, 1000);
    }
  }, 5);
}

function runStreams([port, count, seconds]) {
  const now = () => Date.now();
  process.stdout.write(`start ${now()}\n`);
  for (let i = 0; i < count; i++) {
    const socket = net.connect({ host: HOST, port });
    let server = '-';
    let ticks = 0;
    let ended = false;
    const end = (why) => {
      if (ended) return;
      ended = true;
      process.stdout.write(`s ${now()} ${why} ${i} ${server} ${ticks}\n`);
      socket.destroy();
    };
    const read = responseReader(
      (status, headers) => {
        server = headers['x-server'] ?? `http${status}`;
        process.stdout.write(`s ${now()} open ${i} ${server} 0\n`);
      },
      (body) => {
        ticks += body.toString('latin1').split('.').length - 1;
      },
      () => end('complete'),
    );
    socket.on('connect', () => socket.write('GET /stream HTTP/1.1\r\nhost: drainsim\r\n\r\n'));
    socket.on('data', read);
    socket.on('error', (err) => end(err.code ?? 'ERR'));
    socket.on('end', () => end('EOF'));
    socket.on('close', () => end('EOF'));
  }
  setTimeout(() => process.stdout.write(`done ${count}\n`, () => process.exit(0)), seconds * 1000);
}

/**
 * Half-open tunnels (held-out round 4): each sends `GET <path>` and never writes again; it keeps
 * its side open after reading EOF (allowHalfOpen), so only HAProxy's timers end the connection.
 *   s <t> open|eof|close|error <index> <server> <ticks>
 */
function runTunnels([portArg, countArg, secondsArg, path]) {
  const now = () => Date.now();
  process.stdout.write(`start ${now()}\n`);
  for (let i = 0; i < Number(countArg); i++) {
    const socket = net.connect({ host: HOST, port: Number(portArg), allowHalfOpen: true });
    let server = '-';
    let ticks = 0;
    const say = (event) => process.stdout.write(`s ${now()} ${event} ${i} ${server} ${ticks}\n`);
    let head = '';
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nhost: drainsim\r\n\r\n`));
    socket.on('data', (d) => {
      if (server === '-') {
        head += d.toString('latin1');
        const m = /x-server: (\S+)/i.exec(head);
        if (!m) return;
        server = m[1];
        say('open');
      }
      ticks += d.toString('latin1').split('.').length - 1;
    });
    socket.on('end', () => say('eof'));
    socket.on('error', (err) => say(err.code ?? 'ERR'));
    socket.on('close', () => say('close'));
  }
  setTimeout(() => process.stdout.write(`done ${countArg}\n`, () => process.exit(0)), Number(secondsArg) * 1000);
}
