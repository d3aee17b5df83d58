// N `ws` clients through `port`; prints which sockets hold TIME_WAIT afterwards.
const WebSocket = require('ws'); // NODE_PATH: run.sh
const { execSync } = require('node:child_process');
const port = Number(process.argv[2]);
const n = Number(process.argv[3] || 10);
let done = 0;
const codes = {};
for (let i = 0; i < n; i++) {
  setTimeout(() => {
    const c = new WebSocket(`ws://127.0.0.1:${port}`);
    c.on('error', (e) => console.log('err', e.message));
    c.on('close', (code) => {
      codes[code] = (codes[code] || 0) + 1;
      if (++done === n) setTimeout(report, 500);
    });
  }, i * 20);
}
function report() {
  console.log('codes', JSON.stringify(codes));
  const out = execSync(`ss -tan state time-wait`).toString().split('\n').slice(1).filter(Boolean);
  const tally = {};
  for (const l of out) {
    const [, , local, peer] = l.trim().split(/\s+/);
    const lp = local.split(':').pop(),
      pp = peer.split(':').pop();
    let k;
    if (pp === String(port)) k = `client->${port} (client host holds)`;
    else if (lp === String(port)) k = `lb/first-hop :${port} side holds (accepted socket)`;
    else if (pp === '18080') k = `connector->18080 holds (haproxy server side)`;
    else if (lp === '18080') k = 'nginx accepted :18080 holds';
    else if (pp === '18081') k = 'nginx upstream ->18081 holds';
    else if (lp === '18081') k = 'app accepted :18081 holds';
    else continue;
    tally[k] = (tally[k] || 0) + 1;
  }
  console.log(JSON.stringify(tally, null, 1));
  process.exit(0);
}
