// A client that closes as RFC 6455 §7.1.1 / Chromium do: it answers the server's Close frame with
// its own and waits for the server to close TCP (Chromium: kUnderlyingConnectionCloseTimeoutSeconds = 2).
const net = require('node:net');
const { execSync } = require('node:child_process');
const port = Number(process.argv[2]);
const n = Number(process.argv[3] || 10);
let done = 0,
  serverFirst = 0,
  timerFirst = 0;
for (let i = 0; i < n; i++)
  setTimeout(() => {
    const s = net.connect(port, '127.0.0.1', () =>
      s.write(
        `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    s.allowHalfOpen = true;
    let buf = Buffer.alloc(0),
      upgraded = false,
      closed = false;
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const e = buf.indexOf('\r\n\r\n');
        if (e < 0) return;
        upgraded = true;
        buf = buf.subarray(e + 4);
      }
      if (!closed && buf.length >= 2 && (buf[0] & 0x0f) === 8) {
        closed = true;
        // masked Close 1001 echo
        s.write(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe9]));
        s.timer = setTimeout(() => {
          timerFirst++;
          s.end();
        }, 2000);
      }
    });
    s.on('end', () => {
      clearTimeout(s.timer);
      if (closed) serverFirst++;
      s.end();
    });
    s.on('close', () => {
      if (++done === n) setTimeout(report, 500);
    });
  }, i * 20);
function report() {
  console.log('server closed first', serverFirst, 'client timer', timerFirst);
  const out = execSync(`ss -tan state time-wait`).toString().split('\n').slice(1).filter(Boolean);
  const tally = {};
  for (const l of out) {
    const [, , local, peer] = l.trim().split(/\s+/);
    const lp = local.split(':').pop(),
      pp = peer.split(':').pop();
    let k;
    if (pp === String(port)) k = `client host holds`;
    else if (lp === String(port)) k = `first hop's accepted :${port} holds`;
    else if (pp === '18080') k = 'haproxy server side ->18080 holds';
    else if (lp === '18080') k = 'nginx accepted :18080 holds';
    else if (pp === '18081') k = 'nginx upstream ->18081 holds';
    else if (lp === '18081') k = 'app accepted :18081 holds';
    else continue;
    tally[k] = (tally[k] || 0) + 1;
  }
  console.log(JSON.stringify(tally, null, 1));
  process.exit(0);
}
