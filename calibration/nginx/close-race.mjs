// Who closes an upstream connection nginx does not keep alive (session 28, review48 HIGH-1).
//
// nginx 1.22.1 with nginx's defaults for the upstream request (`upstream backend { server …; }`
// without `keepalive`, proxy_http_version 1.0, `Connection: close`) in front of the node backend
// (backend.mjs: 2-byte body with Content-Length). Two closes race for each upstream connection:
// - nginx's: it has read Content-Length bytes (ngx_event_pipe_read_upstream: p->length reaches 0,
//   upstream_done), ngx_http_upstream_finalize_request closes the peer connection without waiting
//   for the app's FIN (ngx_http_upstream_process_request → ngx_http_upstream_finalize_request →
//   ngx_close_connection);
// - the app's: node answers a request without keep-alive with `Connection: close` and ends the
//   socket once the response is written (lib/_http_server.js resOnFinish: `socket.destroySoon()`
//   when !shouldKeepAlive), as RFC 9112 §9.6 asks of a server that sent `close`.
// Whichever FIN leaves first makes its socket the one in TIME_WAIT; two FINs that cross
// (simultaneous close, tcp_rcv_state_process FIN_WAIT1 → CLOSING) leave both sockets in it. The
// split is a CPU race between two processes, so it is recorded here at a few request rates, with
// and without SCHED_FIFO (`--rt`), and never fitted.
//
// Each run: `conns` keep-alive clients (closed loops, GET /, think `thinkMs`) for 8 s; every
// TIME_WAIT lives 60 s, so the `ss` sample after the clients stop still holds every one the run
// made. Counted per end of the nginx → app connections (experiment.mjs ssCounts:
// timeWaitUpstreamNginx, peer = the app's port; timeWaitUpstreamApp, local = the app's port) and
// divided by the app's accepted connections.
//
//   node calibration/nginx/run.mjs --only close-race            # default scheduling
//   node calibration/nginx/run.mjs --only close-race --rt 10    # SCHED_FIFO (-rt.json)
import { runNginxExperiment } from './experiment.mjs';

const r3 = (x) => Math.round(x * 1000) / 1000;

function summarise(data) {
  const reqs = data.clientEvents.filter((e) => e.ev === 'req');
  const ok = reqs.filter((e) => e.out === 'ok' && e.status === 200);
  const connects = data.backendEvents.filter((e) => e.ev === 'up-conn').length;
  // The last `ss` sample, taken after every client stopped (8 s) and well within 60 s.
  const last = data.sockets[data.sockets.length - 1];
  const firstS = Math.min(...reqs.map((e) => e.sentS));
  const lastS = Math.max(...reqs.map((e) => e.s));
  return {
    requests: reqs.length,
    answered200: ok.length,
    upstreamConnects: connects,
    ratePerS: r3(reqs.length / (lastS - firstS)),
    sampleS: last.s,
    timeWaitNginx: last.timeWaitUpstreamNginx,
    timeWaitApp: last.timeWaitUpstreamApp,
    upstreamStillOpen: last.upstreamEstab + last.finWait + last.closeWait,
    // Per upstream connect: the share each end holds. nginx's counts every FIN it sent first,
    // crossing FINs (both ends in TIME_WAIT) included; the app's misses those a later SYN on the
    // same 4-tuple reopened, so `bothPerConnect` is a lower bound (negative when reopens outnumber
    // crossings).
    nginxSharePerConnect: r3(last.timeWaitUpstreamNginx / connects),
    appSharePerConnect: r3(last.timeWaitUpstreamApp / connects),
    bothPerConnect: r3((last.timeWaitUpstreamNginx + last.timeWaitUpstreamApp - connects) / connects),
    errorLog: Object.fromEntries(Object.entries(data.errorLogCounts).filter(([k]) => !k.startsWith('[notice]'))),
    loadavgAtStart: data.stamp.loadavgAtStart,
    scheduling: data.stamp.scheduling?.requested ?? 'default',
  };
}

/**
 * One rate: its summary is taken from the run's events, then the per-request events are dropped
 * (≈ 3 lines per request at up to 1,500 requests a second); `perSecond` keeps their counts a
 * second, `sockets` every `ss` sample. (--resummarise cannot recompute these files' summaries.)
 */
function closeRace({ name, conns, thinkMs }) {
  return {
    name,
    description:
      `nginx defaults upstream (no keepalive: HTTP/1.0, Connection: close) to node; ${conns} keep-alive clients ` +
      `GET / with ${thinkMs} ms think for 8 s: TIME_WAITs each end of the nginx → app connections holds, ` +
      'per upstream connect.',
    seconds: 10,
    // tcp_tw_reuse 0: a connect() never takes over nginx's own TIME_WAITs (with the default 2 on
    // loopback it does after 1 s once the port walk comes back to them: at the 10-s jump of its
    // offset, secure_ipv4_port_ephemeral), so nginx's count is every FIN it sent first. The app's
    // count can still lose some: a SYN to a 4-tuple in the app's TIME_WAIT reopens it
    // (tcp_timewait_state_process, TCP_TW_SYN) — so nginx's share is the recorded figure.
    sysctls: { 'net.ipv4.tcp_tw_reuse': 0 },
    nginx: { keepaliveTimeout: '60s', defaultProxy: true },
    client: {
      endMs: 8500,
      groups: [{ kind: 'loop', group: 'race', conns, thinkMs, path: '/', startMs: 0, staggerMs: 3, stopMs: 8000 }],
    },
    summarise,
    async run(config) {
      const data = await runNginxExperiment(config);
      const upConnsPerSecond = new Array(Math.ceil(config.seconds)).fill(0);
      for (const e of data.backendEvents) if (e.ev === 'up-conn' && e.s >= 0) upConnsPerSecond[Math.floor(e.s)]++;
      data.upstreamConnectsPerSecond = upConnsPerSecond;
      data.eventsDropped = { clientEvents: data.clientEvents.length, backendEvents: data.backendEvents.length };
      delete data.clientEvents;
      delete data.backendEvents;
      return data;
    },
  };
}

export const CLOSE_RACE_EXPERIMENTS = [
  closeRace({ name: 'nginx-close-race-c4-think20', conns: 4, thinkMs: 20 }),
  closeRace({ name: 'nginx-close-race-c10-think12', conns: 10, thinkMs: 12 }),
  closeRace({ name: 'nginx-close-race-c8-think0', conns: 8, thinkMs: 0 }),
];
