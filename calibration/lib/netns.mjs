// Network namespaces the harness creates for itself, and everything started inside them.
// Every namespace and child is registered here so one cleanup path removes them on exit,
// SIGINT/SIGTERM or an error: the host's own network and sysctls are never touched.
import { execFileSync, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const namespaces = new Set();
const children = new Set();
let hooked = false;

function hookCleanup() {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      cleanupAll();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    cleanupAll();
    console.error(err);
    process.exit(1);
  });
}

/** Kill every child still running (its whole process group) and delete every namespace. */
export function cleanupAll() {
  for (const child of children) killChild(child);
  for (const ns of namespaces) deleteNamespace(ns);
}

function killChild(child) {
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      try {
        child.kill('SIGKILL');
      } catch {}
    }
  }
  children.delete(child);
}

export function createNamespace(tag) {
  hookCleanup();
  const name = `drainsim-cal-${process.pid}-${tag}`;
  execFileSync('ip', ['netns', 'add', name]);
  namespaces.add(name);
  nsExecSync(name, ['ip', 'link', 'set', 'lo', 'up']);
  return name;
}

export function deleteNamespace(name) {
  if (!namespaces.has(name)) return;
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  } catch {}
  namespaces.delete(name);
}

export function nsExecSync(ns, argv) {
  return execFileSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8' });
}

/** The sysctl files are per network namespace for every key used here (net.ipv4.*). */
function sysctlPath(key) {
  return `/proc/sys/${key.replaceAll('.', '/')}`;
}

export function setSysctl(ns, key, value) {
  nsExecSync(ns, ['sh', '-c', 'printf "%s\\n" "$1" > "$2"', 'sh', String(value), sysctlPath(key)]);
}

/** The value inside the namespace, or null if this kernel has no such key. */
export function readSysctl(ns, key) {
  try {
    return nsExecSync(ns, ['cat', sysctlPath(key)])
      .trim()
      .replace(/\s+/g, ' ');
  } catch {
    return null;
  }
}

/** Start a process inside the namespace in its own process group (so it can be killed whole). */
export function spawnInNamespace(ns, argv) {
  hookCleanup();
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/**
 * A spawned child's output as it comes (`out`, `err`: its stdout and stderr so far) and `exit`, its
 * exit code once it has exited.
 */
export function gather(child) {
  const o = { out: '', err: '', exit: new Promise((r) => child.on('exit', r)) };
  child.stdout.on('data', (d) => {
    o.out += d;
  });
  child.stderr.on('data', (d) => {
    o.err += d;
  });
  return o;
}

export function stopChild(child) {
  killChild(child);
}

/** Whether this machine lets us create namespaces (root and iproute2), with the reason if not. */
export function namespaceSupport() {
  if (process.platform !== 'linux') return { ok: false, reason: 'not Linux' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, reason: 'not root' };
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('ss', ['-V'], { stdio: 'ignore' });
  } catch {
    return { ok: false, reason: 'iproute2 (ip, ss) not installed' };
  }
  const probe = `drainsim-cal-probe-${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'ignore' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  } catch {
    return { ok: false, reason: '`ip netns add` is not permitted here' };
  }
  return { ok: true, reason: '' };
}

/**
 * A held-out recorder's command line: the runs `--only <part of a name>` picks (every run without
 * it) and the `--rt` SCHED_FIFO priority (null without); throws where namespaces cannot be made.
 */
export function recorderArgs(runs) {
  const { values } = parseArgs({ options: { only: { type: 'string' }, rt: { type: 'string' } } });
  const support = namespaceSupport();
  if (!support.ok) throw new Error(support.reason);
  return {
    runs: runs.filter((r) => !values.only || r.name.includes(values.only)),
    rt: values.rt ? Number(values.rt) : null,
  };
}

/**
 * The namespace's TCP counters (/proc/net/snmp and /proc/net/netstat are per network namespace):
 * `<prefix><name>` → value, e.g. TcpExtListenOverflows, TcpRetransSegs (as lib/dead-peer.py).
 */
export function nsCounters(ns) {
  const out = {};
  for (const path of ['/proc/net/snmp', '/proc/net/netstat']) {
    const lines = nsExecSync(ns, ['cat', path]).trim().split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const [prefix, ...names] = lines[i].split(/\s+/);
      const values = lines[i + 1].split(/\s+/).slice(1);
      names.forEach((n, k) => {
        out[`${prefix.replace(/:$/, '')}${n}`] = Number(values[k]);
      });
    }
  }
  return out;
}
