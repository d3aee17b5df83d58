// One recorded run of the gunicorn SIGTERM experiment, shared by the held-out recorders of rounds 23
// and 24 (holdout23.mjs, holdout24.mjs: the same load, other gunicorn versions): gunicorn in its own
// netns (lib/netns.mjs, deleted at the end), client.mjs opening `load.count` connections
// `load.intervalMs` apart and SIGTERMing the arbiter at `load.sigtermMs`, then the recording —
// stamp, each connection's outcome, the exits and gunicorn's log — written to
// `<outDir>/<run.name>[-rt].json`. On a client failure it cleans up and exits 1, as the recorders did.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cleanupAll,
  createNamespace,
  deleteNamespace,
  gather,
  namespaceSupport,
  spawnInNamespace,
  stopChild,
} from '../lib/netns.mjs';
import { sourceCommit } from '../lib/source-commit.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** gunicorn's port in the namespace, and the load every run of rounds 23 and 24 takes. */
export const PORT = 8000;
export const LOAD = { count: 80, intervalMs: 100, sigtermMs: 3050, endMs: 8000 };

/** The end of every recorder's gunicorn command line: on PORT, app.py's app, debug log. */
export const SERVE_APP = ['-b', `127.0.0.1:${PORT}`, '--chdir', here, '--log-level', 'debug', 'app:app'];

/** One bare gthread worker, 32 threads, app.py; `gracefulTimeout` is gunicorn's --graceful-timeout (s). */
export const gunicornArgs = (gracefulTimeout) => [
  '-k',
  'gthread',
  '-w',
  '1',
  '--threads',
  '32',
  '--graceful-timeout',
  String(gracefulTimeout),
  '--backlog',
  '2048',
  '--keep-alive',
  '2',
  ...SERVE_APP,
];

/** The gunicorn version Debian's python3 imports (from `pythonPath` first, when given). */
export function gunicornVersion(pythonPath) {
  const env = pythonPath === undefined ? process.env : { ...process.env, PYTHONPATH: pythonPath };
  return execFileSync('/usr/bin/python3', ['-c', 'import gunicorn; print(gunicorn.__version__)'], {
    encoding: 'utf8',
    env,
  }).trim();
}

/**
 * `--rt <priority>`: the recorder and everything it starts (gunicorn, the client) under SCHED_FIFO,
 * as run.mjs --rt; exits 2 on a priority outside 1–99. The priority, or null without `--rt`.
 */
export function scheduleRecorder(rtText, recorder) {
  const rt = rtText ? Number(rtText) : null;
  if (rt === null) return null;
  if (!Number.isInteger(rt) || rt < 1 || rt > 99) {
    console.error(`${recorder}: --rt wants a SCHED_FIFO priority 1–99, got ${rtText}`);
    process.exit(2);
  }
  execFileSync('chrt', ['-a', '-f', '-p', String(rt), String(process.pid)]);
  return rt;
}

/**
 * Record each of `runs` ({ name, what, argv(), version(), needs?(), tag? }) whose name ends with
 * `-<only>` (every run without `only`): a run whose `needs()` gives a reason is skipped with it; one
 * with a `tag` must report that gunicorn version (else exit 2). Exits 2 without network namespaces.
 */
export async function recordRuns(runs, { only, recorder, nsTag, rt, outDir }) {
  const support = namespaceSupport();
  if (!support.ok) {
    console.error(`${recorder}: ${support.reason}`);
    process.exit(2);
  }
  for (const run of runs.filter((r) => only === undefined || r.name.endsWith(`-${only}`))) {
    const need = run.needs?.();
    if (typeof need === 'string') {
      console.error(`${recorder}: ${run.name} skipped: ${need}`);
      continue;
    }
    const version = run.version();
    if (run.tag !== undefined && version !== run.tag) {
      console.error(`${recorder}: ${run.name}: the tree says gunicorn ${version}, not ${run.tag}`);
      process.exit(2);
    }
    await recordSigtermRun({ run, version, recorder, nsTag, rt, outDir });
  }
  cleanupAll();
}

/**
 * Record `run` ({ name, what, argv() }) of gunicorn `version` on PORT with LOAD; `recorder` names
 * the calling script in messages, `nsTag` its namespaces, `rt` the SCHED_FIFO priority it runs at (or null).
 */
async function recordSigtermRun({ run, version, recorder, nsTag, rt, outDir }) {
  const ns = createNamespace(nsTag);
  const loadavgAtStart = loadNow();
  const startedAt = new Date().toISOString();
  const { gunicorn, log, code, out, clientErr } = await runWithClient(ns, run.argv(), [
    join(here, 'client.mjs'),
    String(PORT),
    String(LOAD.count),
    String(LOAD.intervalMs),
    String(LOAD.sigtermMs),
    String(LOAD.endMs),
  ]);
  // gunicorn should be gone (graceful_timeout 10 s after the SIGTERM at most); give it that, then kill.
  const until = Date.now() + 12000;
  while (gunicorn.exitCode === null && gunicorn.signalCode === null && Date.now() < until)
    await new Promise((r) => setTimeout(r, 50));
  const gunicornExit = { code: gunicorn.exitCode, signal: gunicorn.signalCode };
  stopChild(gunicorn);
  deleteNamespace(ns);
  if (code !== 0) {
    console.error(`${recorder}: ${run.name}: client exited ${code}: ${out} ${clientErr}`);
    cleanupAll();
    process.exit(1);
  }
  const result = JSON.parse(out);
  const data = {
    stamp: recordingStamp({
      experiment: run.name,
      what: run.what,
      gunicornVersion: version,
      startedAt,
      loadavgAtStart,
      rt,
      argv: run.argv(),
      load: LOAD,
    }),
    ...result,
    gunicornExit,
    gunicornLog: log,
  };
  const file = join(outDir, `${run.name}${rt !== null ? '-rt' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
  const by = {};
  for (const c of result.conns) by[c.outcome] = (by[c.outcome] ?? 0) + 1;
  console.log(
    `${run.name}: ${version}, sigterm ${result.sigtermS} s, exits ${JSON.stringify(result.exits)}, outcomes ${JSON.stringify(by)} → ${file}`,
  );
}

/** The load average now (1, 5, 15 min), as a recording's stamp gives it. */
export const loadNow = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/**
 * gunicorn (`argv`) started in `ns` with its log lines gathered, then the client (`client`: its
 * script and arguments; the arbiter's pid goes after the first argument, the port) run in `ns` to its
 * exit. gunicorn is left running: the caller stops it.
 */
export async function runWithClient(ns, argv, [script, port, ...args]) {
  const gunicorn = spawnInNamespace(ns, argv);
  const log = [];
  const lineOf = (chunk) => {
    for (const l of chunk.toString().split('\n')) if (l.trim() !== '') log.push(l);
  };
  gunicorn.stdout.on('data', lineOf);
  gunicorn.stderr.on('data', lineOf);
  const client = gather(spawnInNamespace(ns, [process.execPath, script, port, String(gunicorn.pid), ...args]));
  const code = await client.exit;
  return { gunicorn, log, code, out: client.out, clientErr: client.err };
}

/** A gunicorn recording's stamp: the given fields, with the scheduling, the kernel and the tree's commit. */
export function recordingStamp({ experiment, what, gunicornVersion, startedAt, loadavgAtStart, rt, argv, load }) {
  return {
    experiment,
    what,
    gunicornVersion,
    startedAt,
    loadavgAtStart,
    scheduling: rt !== null ? `SCHED_FIFO ${rt}` : 'default',
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    sourceCommit: sourceCommit(),
    argv,
    load,
  };
}
