// The TLS client of the reconnect-storm experiment (tls-storm.mjs), run inside the namespace:
//   node tls-client.mjs <port> '<json spec>'
// spec: { mode: 'serial' | 'resumed' | 'reload' | 'storm', count, endMs, pauseMs? }
//   serial  `count` full handshakes one after another (connect, handshake, close): the nginx
//           worker's CPU per handshake is read around them by the harness (the scenario input).
//   resumed one full handshake that keeps the server's session ticket (the 'session' event: TLS 1.3
//           NewSessionTicket), then `count` handshakes one after another, each offering the newest
//           ticket it holds (tls.connect({ session }): a PSK with (EC)DHE resumption, no certificate
//           and no signature), as a browser reconnecting to the same host does (tls-resume.mjs).
//   reload  one full handshake that keeps its first ticket F; `count` handshakes offering F
//           (tag before); a line {"ev":"phase","name":"before-done"} at once, on which the harness
//           sends `nginx -s reload`; a pause of pauseMs; `count` handshakes offering F again (tag
//           after-old: F was sealed by the old generation's keys); then `count` handshakes each
//           offering the newest ticket (tag after-new: tickets of the new generation).
//   storm   `count` connections opened back to back, one per event-loop turn (setImmediate), each
//           kept open once its handshake is done, until endMs. One per turn so that each
//           connection's ClientHello leaves right after its own connect() (as a real client's
//           does, in the same millisecond): a loop issuing every connect() first would complete
//           all the TCP handshakes (on loopback they complete inside connect()) before any
//           ClientHello, and an idle nginx would accept them all before its first TLS handshake.
//           With paceMs (held-out round 15) connection i opens at i × paceMs after the start instead
//           (still one per turn: a turn opens the next connection when its time has come).
//           With upgrade (round 15) each connection, once handshaken, sends a WebSocket upgrade
//           (GET /ws, Upgrade: websocket) and keeps the tunnel: `up` is when its 101 came.
// serial and storm: every connection is a fresh full handshake, no session offered (no ticket, no id);
// one shared SecureContext (so the client's own cost is the handshake, not loading a context).
// Events, one JSON line each, t = CLOCK_MONOTONIC ms (process.hrtime):
//   conn {i, start, tcp, tls, err, proto, reused}   start: tls.connect() called; tcp: TCP
//        established ('connect'); tls: handshake complete ('secureConnect'); err: errno if it
//        failed; null times: not reached by endMs; reused: the server resumed the offered session
//        (socket.isSessionReused()); tag: which ticket it offered (reload mode); errAt: when the
//        error came (round 15: a reset queued connection's RST); up: its 101 (upgrade).
import tls from 'node:tls';

const port = Number(process.argv[2]);
const spec = JSON.parse(process.argv[3]);
const HOST = '127.0.0.1';
const now = () => Number(process.hrtime.bigint()) / 1e6;
const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);
const T0 = now();
const context = tls.createSecureContext({ minVersion: 'TLSv1.2' });
const conns = [];
const sockets = new Set();

/** The newest session ticket the server sent (resumed mode), offered by the next connection. */
let ticket = null;

/**
 * Open connection i (offering `session` if given); resolves when it is done with (handshaken,
 * failed, or endMs). A TLS 1.3 ticket arrives after the handshake ('session'), so a connection
 * that keeps tickets is closed only once it has one.
 */
function open(i, closeWhenDone, session = undefined, tag = null) {
  const c = { i, start: now(), tcp: null, tls: null, err: null, errAt: null, proto: null, reused: null, tag, up: null };
  conns.push(c);
  const keepTickets = spec.mode === 'resumed' || spec.mode === 'reload';
  return new Promise((resolve) => {
    const socket = tls.connect({ host: HOST, port, secureContext: context, rejectUnauthorized: false, session });
    sockets.add(socket);
    let gotTicket = false;
    let handshaken = false;
    const finish = () => {
      if (closeWhenDone) socket.destroy();
      resolve();
    };
    if (keepTickets)
      socket.on('session', (s) => {
        ticket = s;
        gotTicket = true;
        if (handshaken) finish();
      });
    socket.on('connect', () => {
      c.tcp = now();
    });
    socket.on('secureConnect', () => {
      c.tls = now();
      c.proto = socket.getProtocol();
      c.reused = socket.isSessionReused();
      handshaken = true;
      if (spec.upgrade) upgrade(socket, c);
      if (!keepTickets || gotTicket) finish();
    });
    socket.on('error', (err) => {
      c.errAt ??= now();
      c.err ??= err.code ?? String(err.message);
      resolve();
    });
    socket.on('close', () => {
      sockets.delete(socket);
      resolve();
    });
  });
}

/** A WebSocket upgrade on a handshaken connection (nginx proxies it to backend.mjs's GET /ws): `up` at its 101. */
function upgrade(socket, c) {
  let head = '';
  socket.on('data', (d) => {
    if (c.up != null) return;
    head += d.toString('latin1');
    if (/^HTTP\/1\.1 101 /.test(head)) c.up = now();
  });
  socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
}

function report() {
  const lines = conns.map(
    (c) =>
      `${JSON.stringify({ ev: 'conn', i: c.i, start: r2(c.start), tcp: r2(c.tcp), tls: r2(c.tls), err: c.err, errAt: r2(c.errAt), proto: c.proto, reused: c.reused, tag: c.tag, up: r2(c.up) })}\n`,
  );
  process.stdout.write(lines.join(''));
  process.stdout.write('done\n', () => process.exit(0));
}

process.stdout.write(`started ${T0}\n`);
setTimeout(() => {
  for (const s of sockets) s.destroy();
  setTimeout(report, 100);
}, spec.endMs);

if (spec.mode === 'serial') {
  for (let i = 0; i < spec.count; i++) await open(i, true);
  for (const s of sockets) s.destroy();
  report();
} else if (spec.mode === 'resumed') {
  // Connection 0 is the full handshake that gets the first ticket; 1..count resume.
  for (let i = 0; i <= spec.count; i++) await open(i, true, ticket ?? undefined);
  for (const s of sockets) s.destroy();
  report();
} else if (spec.mode === 'reload') {
  await open(0, true, undefined, 'full');
  const first = ticket;
  let i = 1;
  for (let k = 0; k < spec.count; k++) await open(i++, true, first, 'before');
  process.stdout.write(`${JSON.stringify({ ev: 'phase', name: 'before-done', t: now() })}\n`);
  await new Promise((resolve) => setTimeout(resolve, spec.pauseMs));
  for (let k = 0; k < spec.count; k++) await open(i++, true, first, 'after-old');
  for (let k = 0; k < spec.count; k++) await open(i++, true, ticket, 'after-new');
  for (const s of sockets) s.destroy();
  report();
} else {
  let i = 0;
  const next = () => {
    // paceMs: the next connection waits for its time (i × paceMs from the start), one per turn.
    if (spec.paceMs == null || now() - T0 >= i * spec.paceMs) open(i++, false);
    if (i < spec.count) setImmediate(next);
  };
  next();
}
