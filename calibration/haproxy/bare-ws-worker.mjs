// The processes of the bare-app WebSocket runs (bare-ws.mjs), started inside the namespace.
//   node bare-ws-worker.mjs app <port> <name> <appPingMs|0> <closeOnTerm 0|1> <graceMs>
//   node bare-ws-worker.mjs clients <port> <count> <seconds> <pingMs|0> <reconnectMs> [pongTimeoutMs] [startMs]
// Times are Date.now() ms (the clock HAProxy's log stamps use), after a first line `start <ms>`
// (clients) or `listening` (app).
//
// The app is a bare node server, as SREs run one behind HAProxy mode http: node:http answers the
// checks (GET /health 200) and takes WebSocket upgrades itself (the 'upgrade' event: 101 with
// Sec-WebSocket-Accept, RFC 6455 §4.2.2), then speaks RFC 6455 frames on the raw socket: it
// answers pings with pongs, pings every appPingMs (a server heartbeat, 0: none) and, with
// closeOnTerm, on SIGTERM closes its listener and sends every session a Close frame 1001 (Going
// Away, §7.4.1), closing TCP once the client's Close comes back (the server closes first,
// §7.1.1); it exits when its last session is gone, or graceMs after SIGTERM.
// The clients are raw sockets (so what a client sees is exact): each opens a session, pings every
// pingMs from its start, answers server pings; when the session ends — a Close frame (its code), a
// FIN or RST without one (1006), a non-101 answer to the upgrade (http<status>) — it reconnects
// reconnectMs later, for `seconds`. With pongTimeoutMs, a client whose ping goes unanswered that
// long declares the peer dead and closes its socket (destroy(): a FIN, nothing unread) — the
// heartbeat of the `ws` library's README (terminate() on a missing pong) — logged as a 1006. With
// startMs (held-out round 22) the sessions open that long after `start`, not at it (a server can be
// killed before the burst). Lines:
//   open <t> <slot> <server>            a 101 (the server named by X-Server)
//   close <t> <slot> <server> <code>    the session ended: 1001 (Close frame) or 1006 (none)
//   fail <t> <slot> <what>              the upgrade failed: http503, EOF, ECONNRESET, …
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

const [role, ...args] = process.argv.slice(2);
const HOST = '127.0.0.1';
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const out = (line) => process.stdout.write(`${line}\n`);

/** One frame; the client masks (RFC 6455 §5.3), the server does not. Payloads here are < 126 bytes. */
function frame(opcode, payload, masked) {
  const head = Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | payload.length]);
  if (!masked) return Buffer.concat([head, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([head, mask, body]);
}

const closePayload = (code) => Buffer.from([code >> 8, code & 255]);

/** Calls onFrame(opcode, payload) for each complete frame read from `socket` (after `rest`). */
function readFrames(socket, rest, onFrame) {
  let buf = rest;
  const drain = () => {
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0] & 0x0f;
      const masked = (buf[1] & 0x80) !== 0;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      }
      const need = off + (masked ? 4 : 0) + len;
      if (buf.length < need) return;
      let payload = buf.subarray(off + (masked ? 4 : 0), need);
      if (masked) {
        const mask = buf.subarray(off, off + 4);
        payload = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
      }
      buf = buf.subarray(need);
      onFrame(opcode, payload);
    }
  };
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    drain();
  });
  drain();
}

function app([portArg, name, pingArg, closeOnTermArg, graceArg]) {
  const appPingMs = Number(pingArg);
  const sessions = new Set();
  const server = http.createServer((_req, res) => {
    const body = `ok ${name}\n`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length, 'x-server': name });
    res.end(body);
  });
  server.keepAliveTimeout = 120_000;
  server.on('upgrade', (req, socket, head) => {
    const accept = createHash('sha1')
      .update(req.headers['sec-websocket-key'] + GUID)
      .digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\nX-Server: ${name}\r\n\r\n`,
    );
    const s = { socket, closing: false, timer: null };
    sessions.add(s);
    if (appPingMs > 0) s.timer = setInterval(() => socket.write(frame(0x9, Buffer.alloc(0), false)), appPingMs);
    const gone = () => {
      clearInterval(s.timer);
      sessions.delete(s);
      if (stopping && sessions.size === 0) process.exit(0);
    };
    socket.on('close', gone);
    socket.on('error', () => {});
    readFrames(socket, head, (opcode, payload) => {
      if (opcode === 0x9) socket.write(frame(0xa, payload, false));
      else if (opcode === 0x8) {
        // The client's Close: echo it unless this side sent one first, then close TCP (server first).
        if (!s.closing) socket.write(frame(0x8, payload, false));
        socket.end();
      }
    });
  });
  let stopping = false;
  process.on('SIGTERM', () => {
    if (closeOnTermArg !== '1') process.exit(0);
    stopping = true;
    server.close();
    server.closeIdleConnections?.();
    out(`sigterm ${Date.now()} ${sessions.size}`);
    for (const s of sessions) {
      s.closing = true;
      clearInterval(s.timer);
      s.socket.write(frame(0x8, closePayload(1001), false));
    }
    if (sessions.size === 0) process.exit(0);
    setTimeout(() => process.exit(0), Number(graceArg)).unref();
  });
  server.listen({ port: Number(portArg), host: HOST, backlog: 511 }, () => out('listening'));
}

function clients([port, count, seconds, pingMs, reconnectMs, pongTimeoutMs = 0, startMs = 0]) {
  const t0 = Date.now();
  const endAt = t0 + seconds * 1000;
  out(`start ${t0}`);
  const open = (slot) => {
    if (Date.now() >= endAt) return;
    const socket = net.connect({ host: HOST, port });
    socket.setNoDelay(true);
    let server = '-';
    let upgraded = false;
    let ended = false;
    let pinger = null;
    // The oldest ping not yet answered: its pong timeout (null: none outstanding).
    let awaitingPong = null;
    let head = Buffer.alloc(0);
    const finish = (line) => {
      if (ended) return;
      ended = true;
      clearInterval(pinger);
      clearTimeout(awaitingPong);
      out(line);
      setTimeout(() => open(slot), reconnectMs);
    };
    const onHead = (d) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onHead);
      const text = head.subarray(0, end).toString('latin1');
      const status = Number(text.split(' ')[1]);
      if (status !== 101) {
        finish(`fail ${Date.now()} ${slot} http${status}`);
        socket.destroy();
        return;
      }
      upgraded = true;
      server = /x-server:\s*(\S+)/i.exec(text)?.[1] ?? '-';
      out(`open ${Date.now()} ${slot} ${server}`);
      const ping = () => {
        socket.write(frame(0x9, Buffer.alloc(0), true));
        if (pongTimeoutMs > 0 && awaitingPong === null)
          awaitingPong = setTimeout(() => {
            socket.destroy();
            out(`dead ${Date.now()} ${slot} ${server}`);
            finish(`close ${Date.now()} ${slot} ${server} 1006`);
          }, pongTimeoutMs);
      };
      if (pingMs > 0) pinger = setInterval(ping, pingMs);
      readFrames(socket, head.subarray(end + 4), (opcode, payload) => {
        if (opcode === 0x9) socket.write(frame(0xa, payload, true));
        else if (opcode === 0xa) {
          clearTimeout(awaitingPong);
          awaitingPong = null;
        } else if (opcode === 0x8) {
          const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          socket.write(frame(0x8, payload, true));
          finish(`close ${Date.now()} ${slot} ${server} ${code}`);
        }
      });
    };
    socket.on('data', onHead);
    socket.on('connect', () =>
      socket.write(
        'GET /ws HTTP/1.1\r\nHost: lb\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
      ),
    );
    const lost = (why) =>
      finish(upgraded ? `close ${Date.now()} ${slot} ${server} 1006` : `fail ${Date.now()} ${slot} ${why}`);
    socket.on('end', () => lost('EOF'));
    socket.on('error', (e) => lost(e.code ?? 'error'));
    socket.on('close', () => lost('EOF'));
  };
  // Every session opened at the start (or startMs after it), one after another (roundrobin alternates them).
  const openAll = () => {
    for (let slot = 0; slot < count; slot++) open(slot);
  };
  if (startMs > 0) setTimeout(openAll, startMs);
  else openAll();
  setTimeout(() => process.exit(0), seconds * 1000 + 500);
}

if (role === 'app') app(args);
else if (role === 'clients') clients(args.map(Number));
else {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}
