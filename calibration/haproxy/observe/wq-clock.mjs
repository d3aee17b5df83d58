// Puts the wait-queue trace of the observation build (calibration/haproxy/observe/README.md,
// CHK17_TRACE=<file>) on the run's clock: `node calibration/haproxy/observe/wq-clock.mjs <dir> [from s] [to s]`
// reads <dir>/wq.txt and <dir>/t0.txt (lab.mjs DRAINSIM_HAPROXY_OBSERVE) and prints `<run s> <line>`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function wqOnRunClock(dir) {
  const t0 = Number(readFileSync(join(dir, 't0.txt'), 'utf8'));
  return readFileSync(join(dir, 'wq.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [stamp, ...rest] = l.split(' ');
      return { t: (Number(stamp) * 1000 - t0) / 1000, line: rest.join(' ') };
    });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, from = '-1e9', to = '1e9'] = process.argv.slice(2);
  for (const { t, line } of wqOnRunClock(dir))
    if (t >= Number(from) && t <= Number(to)) console.log(`${t.toFixed(6)} ${line}`);
}
