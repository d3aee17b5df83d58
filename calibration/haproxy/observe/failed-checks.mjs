// For each failed check in an observation build's wait-queue trace (wq.txt, see README.md): when it
// started, when its task was connected (expire lowered to now + timeout check), the walk of the shared
// timer tree that woke it (which entry's key started that walk) and the walks before it that stopped
// short of it. `node calibration/haproxy/observe/failed-checks.mjs <dir> [server]`
import { wqOnRunClock } from './wq-clock.mjs';

const [dir, server = 's1'] = process.argv.slice(2);
const rows = wqOnRunClock(dir).map((r) => ({ ...r, line: r.line.replace(/other\(fn-199680\)/g, 'resolvers') }));
let walk = null;
let start = null;
let connected = null;
let shortWalks = [];
for (const r of rows) {
  const body = r.line.replace(/^tid=\d+ now_ms=\d+ /, '');
  if (body.startsWith('walk head=')) walk = { t: r.t, entries: [] };
  else if (body.startsWith('  ') && walk) walk.entries.push(body.trim());
  else if (body.startsWith(`run ${server} `) && /chkstate=0x6 /.test(body)) {
    start = r.t;
    connected = null;
    shortWalks = [];
  } else if (body.startsWith(`connected ${server} `)) connected = r.t;
  if (walk && start !== null && connected !== null && body.startsWith('walk head=')) shortWalks.push(walk);
  if (body.startsWith(`end ${server} result=2`)) {
    const wakes = shortWalks.filter((w) => w.entries.some((e) => e.startsWith(`${server} `) && e.endsWith('wake')));
    const stopped = shortWalks.filter((w) => !w.entries.some((e) => e.startsWith(`${server} `)));
    const waker = wakes.at(-1);
    console.log(
      `${server} failed at ${r.t.toFixed(3)} after ${Math.round((r.t - start) * 1000)} ms (connected +${Math.round((connected - start) * 1000)} ms); ` +
        `woken by the walk at ${waker?.t.toFixed(3)} [${waker?.entries.join(' | ')}]`,
    );
    for (const w of stopped)
      if (w.t > connected + 0.3) console.log(`   walk at ${w.t.toFixed(3)} stopped short: [${w.entries.join(' | ')}]`);
    start = null;
  }
}
