// The TLS client of the reconnect-storm experiment (tls-storm.mjs), run inside the namespace:
//   node tls-client.mjs <port> '<json spec>'
// spec: { mode: 'serial' | 'storm', count, endMs }
//   serial  `count` full handshakes one after another (connect, handshake, close): the nginx
//           worker's CPU per handshake is read around them by the harness (the scenario input).
//   storm   `count` connections opened back to back, one per event-loop turn (setImmediate), each
//           kept open once its handshake is done, until endMs. One per turn so that each
//           connection's ClientHello leaves right after its own connect() (as a real client's
//           does, in the same millisecond): a loop issuing every connect() first would complete
//           all the TCP handshakes (on loopback they complete inside connect()) before any
//           ClientHello, and an idle nginx would accept them all before its first TLS handshake.
// Every connection is a fresh full handshake: no session is offered (no ticket, no id), one shared
// SecureContext (so the client's own cost is the handshake, not loading a context).
// Events, one JSON line each, t = CLOCK_MONOTONIC ms (process.hrtime):
//   conn {i, start, tcp, tls, err, proto}   start: tls.connect() called; tcp: TCP established
//        ('connect'); tls: handshake complete ('secureConnect'); err: errno if it failed; null
//        times: not reached by endMs.
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

/** Open connection i; resolves when it is done with (handshaken, failed, or endMs). */
function open(i, closeWhenDone) {
  const c = { i, start: now(), tcp: null, tls: null, err: null, proto: null };
  conns.push(c);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: HOST, port, secureContext: context, rejectUnauthorized: false });
    sockets.add(socket);
    socket.on('connect', () => {
      c.tcp = now();
    });
    socket.on('secureConnect', () => {
      c.tls = now();
      c.proto = socket.getProtocol();
      if (closeWhenDone) socket.destroy();
      resolve();
    });
    socket.on('error', (err) => {
      c.err ??= err.code ?? String(err.message);
      resolve();
    });
    socket.on('close', () => {
      sockets.delete(socket);
      resolve();
    });
  });
}

function report() {
  const lines = conns.map(
    (c) =>
      `${JSON.stringify({ ev: 'conn', i: c.i, start: r2(c.start), tcp: r2(c.tcp), tls: r2(c.tls), err: c.err, proto: c.proto })}\n`,
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
} else {
  let i = 0;
  const next = () => {
    open(i++, false);
    if (i < spec.count) setImmediate(next);
  };
  next();
}
