// One side of a calibration experiment, run inside the namespace by `ip netns exec`.
//   node worker.mjs server <port> <closer>
//   node worker.mjs client <port> <closer> <rate/s> <seconds> <maxConnects> [bindAddress]
// Each connection is one tiny exchange ("x" then "y"); `closer` (client|server) sends the first
// FIN, so that side holds the TIME_WAIT (RFC 793: the active closer). The other side closes when
// it reads the FIN (node's allowHalfOpen: false).
// The client writes one line per connect attempt on stdout:
//   c <ms since start> <local port> <attempt index>   connected
//   f <ms since start> <errno code> <attempt index>   connect failed (e.g. EADDRNOTAVAIL)
//   r <ms since start> <attempt index>     the server's answer arrived
// and `done <attempts>` at the end.
import net from 'node:net';

const [role, portArg, closer, rateArg, secondsArg, maxArg, bindAddress] = process.argv.slice(2);
const port = Number(portArg);
const HOST = '127.0.0.1';
// Connections still open at once: a bound so a stuck server cannot grow the client without limit.
const MAX_OUTSTANDING = 4000;

if (role === 'server') {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => {
      if (closer === 'server') socket.end('y');
      else socket.write('y');
    });
  });
  server.listen({ port, host: HOST, backlog: 4096 }, () => process.stdout.write('listening\n'));
} else if (role === 'client') {
  const rate = Number(rateArg);
  const durationMs = Number(secondsArg) * 1000;
  const maxConnects = Number(maxArg);
  const start = performance.now();
  let attempts = 0;
  let outstanding = 0;
  let out = [];
  const flush = () => {
    if (out.length > 0) process.stdout.write(out.join(''));
    out = [];
  };
  const openOne = () => {
    const index = attempts++;
    outstanding++;
    const options = { host: HOST, port };
    if (bindAddress) options.localAddress = bindAddress;
    const socket = net.connect(options);
    let connected = false;
    socket.on('connect', () => {
      connected = true;
      out.push(`c ${Math.round(performance.now() - start)} ${socket.localPort} ${index}\n`);
      socket.write('x');
    });
    socket.once('data', () => {
      out.push(`r ${Math.round(performance.now() - start)} ${index}\n`);
      if (closer === 'client') socket.end();
    });
    socket.on('error', (err) => {
      if (connected) return; // a reset after the exchange is not a connect failure
      out.push(`f ${Math.round(performance.now() - start)} ${err.code ?? 'ERR'} ${index}\n`);
    });
    socket.on('close', () => {
      outstanding--;
    });
  };
  // Open-loop arrivals at a fixed rate: each tick issues every connect due by now, so a late
  // tick catches up instead of lowering the rate.
  const timer = setInterval(() => {
    const elapsed = performance.now() - start;
    const due = Math.min(maxConnects, Math.floor((Math.min(elapsed, durationMs) * rate) / 1000));
    while (attempts < due && outstanding < MAX_OUTSTANDING) openOne();
    flush();
    // Runs to `seconds` even when maxConnects is reached sooner: the connects still pending
    // (SYNs retransmitted until the kernel gives up) report their end.
    if (elapsed >= durationMs) {
      clearInterval(timer);
      setTimeout(() => {
        flush();
        process.stdout.write(`done ${attempts}\n`, () => process.exit(0));
      }, 500);
    }
  }, 4);
} else {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}
