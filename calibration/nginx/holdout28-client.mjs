// The clients of held-out round 28 (calibration/nginx/holdout28.mjs), run inside the namespace.
//
//   node holdout28-client.mjs paced <port> <t0 epoch ms> <method> <first s> <interval s> <count>
// Request k (0-based) at t0 + first + k·interval, each on a new raw net.Socket (`Connection:
// close`; a POST carries a 1-byte body), read to the server's close; never sent again. One line per
// request: `q <k> <sent s> <status or error> <done s>` (s from t0).
//
//   node holdout28-client.mjs agent <port> <t0 epoch ms> <start s> <think s> <count>
// Node's own HTTP client as a program calls it: http.get() on http.globalAgent (node 20: keepAlive
// true, timeout 5000 ms, lib/_http_agent.js), `count` GETs one after another, the next `think` s
// after the previous answer's end. One line per request: `a <k> <sent s> <status> <done s> <local port>`.
import http from 'node:http';
import net from 'node:net';

const [mode, portArg, t0Arg, ...rest] = process.argv.slice(2);
const port = Number(portArg);
const t0 = Number(t0Arg);
const now = () => (Date.now() - t0) / 1000;
const at = (s, f) => setTimeout(f, Math.max(0, t0 + s * 1000 - Date.now()));
const out = (line) => process.stdout.write(`${line}\n`);

if (mode === 'paced') {
  const [method, first, interval, count] = [rest[0], Number(rest[1]), Number(rest[2]), Number(rest[3])];
  for (let k = 0; k < count; k++)
    at(first + k * interval, () => {
      const sent = now();
      const sock = net.connect({ port, host: '127.0.0.1' });
      let buf = '';
      let ended = false;
      const end = (what) => {
        if (ended) return;
        ended = true;
        out(`q ${k} ${sent.toFixed(4)} ${what} ${now().toFixed(4)}`);
      };
      sock.on('connect', () =>
        sock.write(
          method === 'POST'
            ? `POST /r/${k} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx`
            : `GET /r/${k} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        ),
      );
      sock.on('data', (d) => {
        buf += d.toString('latin1');
      });
      sock.on('error', (e) => end(e.code ?? 'error'));
      sock.on('close', () => end(/^HTTP\/1\.\d (\d{3})/.exec(buf)?.[1] ?? 'none'));
    });
} else if (mode === 'agent') {
  const [start, think, count] = rest.map(Number);
  const one = (k) => {
    if (k >= count) return;
    const sent = now();
    http
      .get({ host: '127.0.0.1', port, path: `/a/${k}` }, (res) => {
        const local = res.socket.localPort;
        res.resume();
        res.on('end', () => {
          out(`a ${k} ${sent.toFixed(4)} ${res.statusCode} ${now().toFixed(4)} ${local}`);
          setTimeout(() => one(k + 1), think * 1000);
        });
      })
      .on('error', (e) => {
        out(`a ${k} ${sent.toFixed(4)} ${e.code ?? 'error'} ${now().toFixed(4)} 0`);
        setTimeout(() => one(k + 1), think * 1000);
      });
  };
  at(start, () => one(0));
} else throw new Error(`unknown mode ${mode}`);
