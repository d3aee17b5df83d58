// Session 19: `nginx -s reload` with `listen … reuseport` under connect load — which worker
// generation accepts the connections that arrive between the reload and the old workers' QUIT.
// Read from the source first (sim/model/proxy/listen-sockets.ts): new worker k inherits old worker
// k's socket (ngx_init_cycle) and waits on it without EPOLLEXCLUSIVE, its entry at the head of the
// socket's wait queue; with fewer new workers the sockets left over stay open in the old workers
// only, and the kernel keeps hashing over them until the old workers' QUIT.

/**
 * 16 clients, each sending a GET every 25 ms on a fresh connection: nginx's keepalive_timeout 5ms
 * closes each connection after its answer, and the client (lazyReconnect) opens the next one when
 * its next request is due — ≈ 640 connects a second, paced. A reload at 4 s (optionally with other
 * nginx.conf options); every access-log line kept with its worker pid.
 */
function reuseportReloadExperiment({ name, description, workers, reloadTo = null }) {
  const seconds = 7;
  return {
    name,
    description,
    seconds,
    nginx: { workers, reuseport: true, keepaliveTimeout: '5ms' },
    accessLines: true,
    actions: [{ atMs: 4000, signal: 'reload', ...(reloadTo ? { nginx: reloadTo } : {}) }],
    client: {
      endMs: (seconds - 1) * 1000,
      groups: [
        {
          kind: 'loop',
          group: 'connect',
          conns: 16,
          thinkMs: 25,
          path: '/',
          startMs: 1000,
          staggerMs: 1.5,
          lazyReconnect: true,
          dropBackoffMs: 200,
          stopMs: (seconds - 2) * 1000,
        },
      ],
    },
    summarise: (data) => summariseReload(data),
  };
}

/**
 * Requests logged by the old generation (a worker seen before the reload) and the new one, per
 * 20-ms bin from the reload signal; the old workers' QUIT as their first idle close would show it
 * is not visible here (each connection closes itself after 5 ms), so the bins show it: the last
 * bin with an old-generation request.
 */
function summariseReload(data) {
  const reload = data.actions.find((a) => a.signal === 'reload');
  if (!reload || !data.accessLog) return {};
  const oldPids = new Set(data.workers.filter((w) => w.firstS < reload.s).map((w) => w.pid));
  const bins = [];
  for (const line of data.accessLog) {
    const ms = (line.s - reload.s) * 1000;
    if (ms < -100 || ms >= 300) continue;
    const bin = Math.floor(ms / 20) * 20;
    let b = bins.find((x) => x.fromMs === bin);
    if (!b) {
      b = { fromMs: bin, old: 0, new: 0 };
      bins.push(b);
    }
    if (oldPids.has(line.pid)) b.old++;
    else b.new++;
  }
  bins.sort((a, b) => a.fromMs - b.fromMs);
  const perPid = {};
  for (const line of data.accessLog) {
    const ms = (line.s - reload.s) * 1000;
    if (ms < 0 || ms >= 300) continue;
    const key = `${oldPids.has(line.pid) ? 'old' : 'new'} ${line.pid}`;
    perPid[key] = (perPid[key] ?? 0) + 1;
  }
  const oldAfter = data.accessLog.filter((l) => l.s >= reload.s && oldPids.has(l.pid)).map((l) => l.s);
  return {
    reloadS: reload.s,
    signalTookMs: reload.tookMs,
    lastOldRequestAfterReloadMs: oldAfter.length ? Math.round((Math.max(...oldAfter) - reload.s) * 1000) : null,
    bins,
    firstWindowByPid: perPid,
    requests: data.accessLog.length,
    workers: data.workers,
    scheduling: data.stamp.scheduling?.requested ?? 'default',
  };
}

export const REUSEPORT_EXPERIMENTS = [
  reuseportReloadExperiment({
    name: 'nginx-reuseport-reload-w2',
    description:
      'worker_processes 2, listen … reuseport, ≈ 640 new connections a second (16 clients, a GET every 25 ms ' +
      'each on a fresh connection: keepalive_timeout 5ms); nginx -s reload at 4 s with the same ' +
      'configuration: which generation logs the requests of the connections made between the reload and ' +
      "the old workers' QUIT.",
    workers: 2,
  }),
  reuseportReloadExperiment({
    name: 'nginx-reuseport-reload-w4to2',
    description:
      'As nginx-reuseport-reload-w2 with worker_processes 4, reloaded at 4 s with worker_processes 2: the ' +
      "old workers 2 and 3's sockets are inherited by no new worker; does the kernel keep hashing " +
      'connections to them (old generation) until the QUIT?',
    workers: 4,
    reloadTo: { workers: 2 },
  }),
];
