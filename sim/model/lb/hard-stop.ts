import type { Conn } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import type { World } from '../core/world.js';
import type { Backend } from '../vm/backend.js';

/**
 * Closes one stream of the old process (`stream_shutdown()`, src/stream.c): a FIN to the client;
 * a FIN then an RST to nginx (EndKind.PROXY_FIN: the server socket closes before nginx's FIN).
 */
export type StreamShutdown = (backend: Backend, conn: Conn) => void;

/** The streams an old HAProxy process still holds, and what identifies each flow then. */
interface OldProcess {
  conns: Conn[];
  /** `conn.connectStartedAt` at the reload: a Conn that reconnected since is a new process's flow. */
  startedAt: number[];
  /** When the reload happened: streams opened before it are the old process's (held ones too). */
  reloadAt: number;
}

/**
 * How long after hard_stop() the old process exits when streams resisted it: hard_stop() re-arms
 * its own task `tick_add(now_ms, MS_TO_TICKS(1000))` with `killed = 1`; the next run sets
 * `killed = 2` ("Some tasks resisted to hard-stop, exiting now.") and run_poll_loop()
 * (src/haproxy.c) breaks out: the process exits (HAProxy 2.6.0 src/proxy.c hard_stop()).
 */
const RESISTED_EXIT_AFTER = 1;

/**
 * A reload of the L4/L7 proxy (HAProxy master-worker reload, `haproxy -sf`): the new process
 * takes every new connection and the old one soft-stops (`do_soft_stop_now()`, src/proxy.c) —
 * its listeners close, the streams it holds carry on until they end. With `hard-stop-after`
 * (global; no default: an old process with tunnels lives forever) a task fires that long after
 * the soft-stop and `hard_stop()` calls `stream_shutdown(s, SF_ERR_KILLED)` on every stream still
 * there: each client reads a FIN and nginx a FIN then an RST (`reset_in`), as with `shutdown
 * sessions`. The balancer's pool state and
 * health are the same in both processes (server-state-file), so nothing else changes. Only
 * connection flows are followed: an open-loop request (lb.mode l7) is a stream of one request,
 * finished by the old process long before any hard-stop-after. Streams held after their client
 * closed towards a vanished server (lb.mode l4, core/held-streams.ts) resist stream_shutdown() and
 * end when the old process exits, one second later. In http mode (l7) the soft stop
 * also closes the old process's keep-alive client connections: idle ones at once, busy ones after
 * their answer (h1_process(), src/mux_h1.c; lb/l7-http-front.ts softStop).
 */
export class ProxyReload {
  constructor(
    private readonly w: World,
    private readonly shutdown: StreamShutdown,
    /** lb.mode l7: the old process's client connections at its soft stop (l7-http-front.ts softStop). */
    private readonly softStopClients: () => void,
  ) {}

  reload(): void {
    const w = this.w;
    if (w.scenario.lb.mode === 'l7') this.softStopClients();
    const old: OldProcess = { conns: [], startedAt: [], reloadAt: w.now };
    w.lb.reloaded();
    for (const backend of w.backends)
      for (const conn of backend.conns) {
        if (conn.lbFlow !== LbFlow.TRACKED) continue;
        old.conns.push(conn);
        old.startedAt.push(conn.connectStartedAt);
      }
    const after = w.scenario.lb.hard_stop_after ?? Infinity;
    w.trace.emit({ kind: 'lb.reload', streams: old.conns.length, hardStopAfter: after });
    if (Number.isFinite(after) && after > 0) w.engine.schedule(after, this.hardStop, old);
  }

  /** `hard_stop()`: every stream the old process still holds is shut now. */
  private readonly hardStop = (old: OldProcess): void => {
    const w = this.w;
    let streams = 0;
    for (let i = 0; i < old.conns.length; i++) {
      const conn = old.conns[i];
      // Ended since, or reconnected through the new process.
      if (conn.lbFlow !== LbFlow.TRACKED || conn.connectStartedAt !== old.startedAt[i]) continue;
      streams++;
      this.shutdown(w.backends[conn.backend], conn);
    }
    w.trace.emit({ kind: 'lb.hard_stop', streams, after: w.scenario.lb.hard_stop_after ?? Infinity });
    // Held streams (core/held-streams.ts) resist: stream_shutdown() skips a stream whose request
    // side is already shut. They end when the process exits.
    w.engine.schedule(RESISTED_EXIT_AFTER, this.resistedExit, old);
  };

  /** The old process exits with the streams that resisted its hard stop. */
  private readonly resistedExit = (old: OldProcess): void => {
    const w = this.w;
    const streams = w.held.endOpenedBefore(old.reloadAt);
    if (streams > 0)
      w.trace.emit({ kind: 'lb.hard_stop', streams, after: w.scenario.lb.hard_stop_after ?? Infinity, exiting: true });
  };
}
