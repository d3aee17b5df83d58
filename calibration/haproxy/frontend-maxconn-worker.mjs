// The processes of frontend-maxconn.mjs, started inside its namespace by `ip netns exec`.
//   node frontend-maxconn-worker.mjs app <port> <delayMs>
//   node frontend-maxconn-worker.mjs clients <port> <count> [gapMs] [timeoutMs]
// The app answers every request `delayMs` after reading it (a timer), `Connection: close`.
// The clients open `count` connections at once (one connect() after another from one event loop,
// each a loopback handshake run inside the syscall) and send `GET /r/<k>` with `Connection: close`
// on each as soon as it is connected; with `gapMs` the k-th connects (k − 1) × gapMs after the first,
// and with `timeoutMs` a client not answered that long after its connect closes its socket (FIN).
// Lines (times in s from `start`, 3 decimals):
//   start <epoch ms>
//   c <k> <connected s>            the client's connect() succeeded (its handshake with the kernel)
//   q <k> <outcome> <done s>       outcome: 200 | EOF | timeout | <errno>
import http from 'node:http';
import net from 'node:net';

const [role, ...args] = process.argv.slice(2);
const HOST = '127.0.0.1';
const out = (line) => process.stdout.write(`${line}\n`);

function app([portArg, delayArg]) {
  const delayMs = Number(delayArg);
  const server = http.createServer((req, res) => {
    out(`recv ${Date.now()} ${req.url}`);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 3, connection: 'close' });
      res.end('ok\n');
    }, delayMs);
  });
  server.keepAliveTimeout = 0;
  server.listen({ port: Number(portArg), host: HOST, backlog: 511 }, () => out('listening'));
}

function clients([portArg, countArg, gapArg = '0', timeoutArg = '0']) {
  const count = Number(countArg);
  const gapMs = Number(gapArg);
  const timeoutMs = Number(timeoutArg);
  const start = Date.now();
  const s = () => ((Date.now() - start) / 1000).toFixed(3);
  out(`start ${start}`);
  let left = count;
  const one = (k) => {
    const sock = net.connect({ port: Number(portArg), host: HOST });
    let data = '';
    let done = false;
    const finish = (outcome) => {
      if (done) return;
      done = true;
      out(`q ${k} ${outcome} ${s()}`);
      sock.destroy();
      if (--left === 0) process.exit(0);
    };
    sock.on('connect', () => {
      out(`c ${k} ${s()}`);
      sock.write(`GET /r/${k} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      if (timeoutMs > 0) setTimeout(() => finish('timeout'), timeoutMs);
    });
    sock.on('data', (b) => {
      data += b;
      const m = /^HTTP\/1\.1 (\d+)/.exec(data);
      if (m && data.includes('\r\n\r\n')) finish(m[1]);
    });
    sock.on('end', () => finish('EOF'));
    sock.on('error', (e) => finish(e.code ?? 'error'));
  };
  for (let k = 1; k <= count; k++) {
    if (gapMs > 0 && k > 1) setTimeout(() => one(k), (k - 1) * gapMs);
    else one(k);
  }
}

if (role === 'app') app(args);
else if (role === 'clients') clients(args);
else throw new Error(`unknown role ${role}`);
