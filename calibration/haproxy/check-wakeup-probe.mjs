// Probe (session 16; not a held-out run): how long HAProxy's checks with `timeout check 300ms`
// (`inter 500ms fastinter 200ms`, `fall 1000` so that every failure is logged by
// `option log-health-checks`) last against a SIGSTOPped server, varying nbthread, the number of
// servers and their inters, `show stat` sampling and client traffic. HAProxy and node backends on
// 127.0.0.1 (ports 19300-21300), about 10 s a run; run it under the calibration lock:
//   flock /work/wt/calib.lock node calibration/haproxy/check-wakeup-probe.mjs \
//     <nbthread> <servers> <sample every ms|0> <req/s|0> [seconds] [inter,inter,...]
// TRACE=<file> also writes HAProxy's `trace check` lines there. Results: NOTES.md item 29.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const [nbthread, nsrv, sampleMs, rate, secs = '8', inters = ''] = process.argv.slice(2);
const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const dir = mkdtempSync('/tmp/hcwake-probe/run-');
const base = 19300 + Math.floor(Math.random() * 500) * 4;
const ints = inters ? inters.split(',') : [];
const servers = Array.from({ length: Number(nsrv) }, (_, i) => ({
  name: `s${i + 1}`,
  port: base + 1 + i,
  inter: ints[i],
}));
const cfg = `global
    log stdout format raw local0 info
    stats socket ${dir}/admin.sock mode 600 level admin
    nbthread ${nbthread}
defaults
    mode http
    log global
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:${base}
    default_backend be
backend be
    timeout check 300ms
    option httpchk GET /health
    option log-health-checks
    default-server check inter 500ms fastinter 200ms downinter 300ms fall 1000 rise 2
${servers.map((s) => `    server ${s.name} 127.0.0.1:${s.port}${s.inter ? ` inter ${s.inter}` : ''}\n`).join('')}`;
writeFileSync(`${dir}/h.cfg`, cfg);
const kids = servers.map((s) => spawn('node', [WORKER, 'backend', String(s.port), s.name], { stdio: 'ignore' }));
await new Promise((r) => setTimeout(r, 500));
const t0 = Date.now();
const hap = spawn('haproxy', ['-db', '-f', `${dir}/h.cfg`]);
const out = [];
hap.stdout.on('data', (d) => {
  for (const l of String(d).split('\n')) if (l) out.push([(Date.now() - t0) / 1000, l]);
});
hap.stderr.on('data', (d) => {
  for (const l of String(d).split('\n')) if (l) out.push([(Date.now() - t0) / 1000, `E ${l}`]);
});
await new Promise((r) => setTimeout(r, 300));
if (process.env.TRACE) {
  for (const c of [
    'trace check sink stderr',
    'trace check level developer',
    'trace check verbosity clean',
    'trace check start now',
  ]) {
    await new Promise((res) => {
      const s = net.connect(`${dir}/admin.sock`);
      s.on('connect', () => s.write(`${c}\n`));
      s.on('data', () => {});
      s.on('close', res);
      s.on('error', res);
    });
  }
}
await new Promise((r) => setTimeout(r, 1200));
const stopAt = (Date.now() - t0) / 1000;
process.kill(kids[0].pid, 'SIGSTOP');
let sampler = null;
if (Number(sampleMs) > 0)
  sampler = setInterval(() => {
    const s = net.connect(`${dir}/admin.sock`);
    s.on('connect', () => s.write('show stat\n'));
    s.on('data', () => {});
    s.on('error', () => {});
  }, Number(sampleMs));
let traffic = null;
const agent = new http.Agent({ keepAlive: true, maxSockets: 12 });
if (Number(rate) > 0)
  traffic = setInterval(() => {
    const rq = http.get({ host: '127.0.0.1', port: base, path: '/', agent }, (res) => res.resume());
    rq.on('error', () => {});
    rq.setTimeout(20000, () => rq.destroy());
  }, 1000 / Number(rate));
await new Promise((r) => setTimeout(r, Number(secs) * 1000));
clearInterval(sampler);
clearInterval(traffic);
process.kill(kids[0].pid, 'SIGCONT');
hap.kill('SIGTERM');
for (const k of kids) k.kill('SIGKILL');
await new Promise((r) => setTimeout(r, 300));
const durs = out
  .filter(([, l]) => /Health check for server be\/s1 failed/.test(l) && !l.startsWith('[') && !l.startsWith('E '))
  .map(([t, l]) => [t, Number(/check duration: (\d+)ms/.exec(l)[1])]);
console.log(
  JSON.stringify({
    nbthread,
    nsrv,
    sampleMs,
    rate,
    inters,
    stopAt,
    n: durs.length,
    durations: durs.map((d) => d[1]).join(' '),
  }),
);
if (process.env.TRACE) writeFileSync(process.env.TRACE, out.map(([t, l]) => `${t.toFixed(4)} ${l}`).join('\n'));
process.exit(0);
