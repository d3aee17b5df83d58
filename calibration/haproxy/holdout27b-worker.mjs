// The processes of held-out round 27's curl run (holdout27.mjs, second batch, through bare-lab.mjs),
// started inside the namespace by `ip netns exec`:
//   node holdout27b-worker.mjs app <port> <name> <keepAliveTimeoutMs>     bare-l4-worker.mjs's app
//   node holdout27b-worker.mjs clients <port> <count> <gapMs> <urls> <path> <seconds>
// The clients are `count` curl processes (curl 7.88.1, /usr/bin/curl), the k-th started k × gapMs
// after `start`, each fetching `<path>` `urls` times one after another on one keep-alive
// connection (curl's serial transfers reuse it), with `-w` a line per transfer and `-v` for its own
// lines about connections. Lines (times in s from `start`, 3 decimals):
//   start <epoch ms>
//   w <k> <http_code> <num_connects> <exitcode>                a transfer (http_code 000: no answer)
//   v <k> <t> <curl's -v line>                                 Connected / Re-using / Connection died …
//   exit <k> <code> <started s> <ended s>
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const [role, ...args] = process.argv.slice(2);
const out = (line) => process.stdout.write(`${line}\n`);

function clients([port, countArg, gapArg, urlsArg, path, secondsArg]) {
  const t0 = Date.now();
  out(`start ${t0}`);
  const rel = () => ((Date.now() - t0) / 1000).toFixed(3);
  const start = (k) => {
    const startedAt = rel();
    // The same URL `urls` times (bare-l4-worker.mjs's app reads /slow/<ms> only without a query).
    const urls = Array.from({ length: Number(urlsArg) }, () => `http://127.0.0.1:${port}${path}`);
    const child = spawn(
      'curl',
      // An `-o /dev/null` per URL: curl pairs each -o with one URL, in order.
      [
        '-sS',
        '-v',
        '-w',
        `w ${k} %{http_code} %{num_connects} %{exitcode}\\n`,
        ...urls.flatMap((u) => ['-o', '/dev/null', u]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    createInterface({ input: child.stdout }).on('line', out);
    // curl -v: its own lines start with '* '; those about connections and retries are kept.
    createInterface({ input: child.stderr }).on('line', (l) => {
      if (/^\* (Connected|Re-using|Connection|Closing|Trying|.*retry|.*died)/i.test(l) || /^curl: /.test(l))
        out(`v ${k} ${rel()} ${l}`);
    });
    child.on('exit', (code) => out(`exit ${k} ${code} ${startedAt} ${rel()}`));
  };
  for (let k = 0; k < Number(countArg); k++) setTimeout(() => start(k), k * Number(gapArg));
  setTimeout(() => process.exit(0), Number(secondsArg) * 1000 + 500);
}

if (role === 'app') await import('./bare-l4-worker.mjs');
else if (role === 'clients') clients(args);
else {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}
