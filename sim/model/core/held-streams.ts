import type { Engine, TimerId } from '../../engine/engine.js';
import type { EventLog } from '../../metrics/event-log.js';
import { silentPeerGiveUpAt } from '../../net/dead-peer.js';
import { inWholeJiffies } from '../../net/jiffies.js';
import { firstDataRto, TCP_RTO_MAX_S } from '../../net/tcp.js';
import type { Scenario } from '../../scenario/schema.js';
import type { LbServerSideTimeout } from '../../trace/records.js';
import type { LoadBalancer } from '../lb/pool.js';
import type { LbHost } from './lb-host.js';

/**
 * A stream HAProxy (lb.mode l4, mode tcp) keeps after its client closed towards a vanished server
 * (world.ts heldByProxy): in the server's `cur_sess`/`served` (lb.active), its socket on the
 * balancer's host retransmitting what the server never acknowledged.
 */
export interface HeldStream {
  readonly b: number;
  readonly pair: number;
  readonly port: number;
  /** The client's connect() through the proxy (conn.connectStartedAt): which process holds it (a reload). */
  readonly openedAt: number;
  /** When the first segment the server never acknowledged left (the request, or the relayed FIN). */
  readonly unackedSince: number;
  /** When its server side's read timeout or the kernel's give-up ends it, whichever comes first. */
  readonly endsAt: number;
  /** Whether endsAt is the kernel's give-up (tcp_retries2), not HAProxy's timeout. */
  readonly kernelGivesUp: boolean;
  timer: TimerId;
}

/** What a held stream needs of the world (core/world.ts World). */
export interface HeldStreamWorld {
  readonly engine: Engine;
  readonly trace: EventLog;
  readonly lb: LoadBalancer;
  readonly lbHost: LbHost | null;
  readonly scenario: Scenario;
  readonly backends: readonly { readonly name: string; readonly hostUp: boolean }[];
  /** A held stream ended: its session frees its frontend slot (World.onHeldStreamEnded). */
  onHeldStreamEnded(stream: HeldStream): void;
}

/**
 * The held streams of each server and the events that end them:
 * - their server side's read timeout (lb/pool.ts clientClosedStreamHold: timeout server / tunnel),
 *   or before it the balancer host's kernel giving up on the unacknowledged segment (lb.kernel
 *   tcp_retries2, net/dead-peer.ts silentPeerGiveUpAt: ETIMEDOUT on the server socket, which
 *   HAProxy reads as a server-side error), the timer set when the stream was held;
 * - the vanished VM booting again (serverRebooted): the next retransmission reaches its new
 *   kernel, which has no socket for the 4-tuple and answers with an RST; HAProxy reads the error;
 * - the old process exiting one second after a reload's hard stop (endOpenedBefore).
 * `shutdown sessions` / on-marked-down shutdown-sessions and hard_stop() itself do not end them:
 * stream_shutdown() (src/stream.c, HAProxy 2.6.0, unchanged through 2.6.12) returns at once when
 * `stream->req.flags & (CF_SHUTW|CF_SHUTW_NOW)` — the request channel a held stream already shut
 * when it relayed the client's FIN (sc_app_shutw_conn(), src/stconn.c, sets CF_SHUTW).
 */
export class HeldStreams {
  private readonly byBackend: Set<HeldStream>[];

  constructor(private readonly w: HeldStreamWorld) {
    this.byBackend = w.backends.map(() => new Set<HeldStream>());
  }

  /** Held streams of server b now (all in lb.active[b]). */
  count(b: number): number {
    return this.byBackend[b].size;
  }

  /**
   * Keep a stream for `hold` seconds (Infinity: no HAProxy timeout) on server b, or until the
   * balancer host's kernel gives up on the segment unacknowledged since `unackedSince`; the caller
   * left it in lb.active[b]. The server socket's RTO comes from clients.rtt: held streams are
   * lb.mode l4, where the model has one client↔backend path with the balancer on it (lb.server_rtt,
   * the balancer↔server round trip, is L7 only; the WebSocket ping behind L7 uses it when set).
   */
  hold(b: number, pair: number, port: number, openedAt: number, unackedSince: number, hold: number): HeldStream {
    const w = this.w;
    const kernelAt = silentPeerGiveUpAt(
      unackedSince,
      w.scenario.clients.rtt,
      w.scenario.lb.kernel.tcp_retries2,
      w.lbHost!.host.clock,
    );
    const kernelGivesUp = kernelAt < w.engine.now + hold;
    const endsAt = kernelGivesUp ? kernelAt : w.engine.now + hold;
    const s: HeldStream = { b, pair, port, openedAt, unackedSince, endsAt, kernelGivesUp, timer: -1 };
    s.timer = w.engine.at(endsAt, this.timedOut, s);
    this.byBackend[b].add(s);
    return s;
  }

  /**
   * The server side's read timeout fires (process_stream(), src/stream.c): HAProxy closes its
   * server socket — never read0, so FD_LINGER_RISK makes it an RST, no TIME_WAIT (fd_delete(),
   * src/fd.c) — and the server's slot is free.
   */
  private readonly timedOut = (s: HeldStream): void => {
    s.timer = -1;
    if (s.kernelGivesUp) this.end(s, 'retries2', this.w.engine.now - s.unackedSince);
    else this.end(s, this.w.lb.serverFinArmed() ? 'server-fin' : 'timeout', this.w.lb.serverSideTimeout());
  };

  /**
   * Backend b's vanished VM boots a new kernel (vm/lifecycle.ts freshStart), same address. Each
   * held stream's socket is still retransmitting its oldest unacknowledged segment; the next copy
   * reaches the new kernel, which finds no socket for the 4-tuple and answers with an RST
   * (tcp_v4_rcv() → no_tcp_socket → tcp_v4_send_reset(), net/ipv4/tcp_ipv4.c). The RST is back one
   * RTT after the copy; HAProxy reads ECONNRESET on the server side and ends the stream
   * (process_stream(), src/stream.c: `sc_ep_test(scb, SE_FL_ERROR)` → sc_shutr/sc_shutw,
   * SF_ERR_SRVCL). A stream whose read timeout comes first ends by it, as it would have.
   */
  serverRebooted(b: number): void {
    const w = this.w;
    const rtt = w.scenario.clients.rtt;
    for (const s of this.byBackend[b]) {
      const resetAt = this.nextCopyAt(s.unackedSince, w.engine.now) + rtt;
      if (resetAt >= s.endsAt) continue;
      w.engine.cancel(s.timer);
      s.timer = w.engine.at(resetAt, this.reset, s);
    }
  }

  private readonly reset = (s: HeldStream): void => {
    s.timer = -1;
    // The host vanished again before the copy reached it: no RST, the read timeout decides again.
    if (!this.w.backends[s.b].hostUp) {
      s.timer = this.w.engine.at(s.endsAt, this.timedOut, s);
      return;
    }
    this.end(s, 'reset', this.w.engine.now - s.unackedSince);
  };

  /**
   * When the balancer host's kernel sends the first copy at or after `t` of a segment first sent
   * at `since`. Sending armed the tail loss probe, which for one segment in flight goes at the RTO
   * (tcp_schedule_loss_probe(), net/ipv4/tcp_output.c: PTO = 2·srtt + tcp_rto_min, capped by the
   * RTO) and re-arms the RTO without backing it off; the RTO timer then fires one RTO later and
   * doubles each time up to TCP_RTO_MAX (tcp_retransmit_timer(), net/ipv4/tcp_timer.c) — the
   * schedule lb/l4-connect.ts dataRetransmitted follows. The RTO is rtt + 200 ms in whole jiffies
   * (firstDataRto: tcp_rtt_estimator() keeps rttvar ≥ tcp_rto_min on every RTT sample, so the
   * steady RTO is the first sample's), and each firing lands on the host's timer wheel.
   */
  private nextCopyAt(since: number, t: number): number {
    const clock = this.w.lbHost!.host.clock;
    let rto = inWholeJiffies(firstDataRto(this.w.scenario.clients.rtt), clock.hz);
    let at = clock.timerFiresAt(since, rto);
    // The probe leaves the RTO as it is; each RTO firing doubles it.
    let probe = true;
    while (at < t) {
      if (!probe) rto = Math.min(2 * rto, TCP_RTO_MAX_S);
      probe = false;
      at = clock.timerFiresAt(at, rto);
    }
    return at;
  }

  /**
   * The proxy process that accepted every stream opened before `reloadAt` exits (hard-stop.ts: one
   * second after hard_stop(), the held streams having resisted it). Their slots go with it. Each
   * server socket, closed with its segments still unacknowledged, stays in the balancer host's
   * kernel as an orphan in FIN_WAIT1 — its port held — retransmitting until tcp_write_timeout()
   * gives up with the orphan's boundary, lb.kernel.tcp_orphan_retries (0: 8 while alive;
   * net/dead-peer.ts, recorded: calibration/data/kernel-holdout-dead-peer-orphan-retries-2-rt.json),
   * counted from its first RTO retransmission as before. (Simplified: the orphan is not reset by a
   * VM booting again meanwhile, as held streams are.) How many ended.
   */
  endOpenedBefore(reloadAt: number): number {
    const w = this.w;
    let ended = 0;
    for (const streams of this.byBackend)
      for (const s of streams) {
        if (s.openedAt >= reloadAt) continue;
        w.engine.cancel(s.timer);
        s.timer = -1;
        this.freeSlot(s);
        const orphaned = { at: w.engine.now, retries: w.scenario.lb.kernel.tcp_orphan_retries };
        const goneAt = silentPeerGiveUpAt(
          s.unackedSince,
          w.scenario.clients.rtt,
          w.scenario.lb.kernel.tcp_retries2,
          w.lbHost!.host.clock,
          orphaned,
        );
        w.lbHost!.host.orphaned();
        w.engine.at(Math.max(goneAt, w.engine.now), this.orphanGone, s);
        ended++;
      }
    return ended;
  }

  /** An exited process's orphan gives up (tcp_write_err → tcp_done): its port is free, no TIME_WAIT. */
  private readonly orphanGone = (s: HeldStream): void => {
    this.w.lbHost!.host.closeOrphan(s.pair, s.port, this.w.engine.now, false);
  };

  private end(s: HeldStream, cause: LbServerSideTimeout['cause'], after: number): void {
    const w = this.w;
    this.release(s);
    w.trace.emitLimited(`lb-held-${s.b}-${cause}`, {
      kind: 'lb.server_side_timeout',
      backend: w.backends[s.b].name,
      after,
      cause,
    });
  }

  /** The stream's server socket closes (no TIME_WAIT: an RST either way) and its slot is free. */
  private release(s: HeldStream): void {
    // The port first: a connection the freed slot lets out of the queue may take it.
    this.w.lbHost!.host.close(s.pair, s.port, this.w.engine.now, false);
    this.freeSlot(s);
  }

  /** The stream leaves its server's `served`; its socket is the caller's to close. */
  private freeSlot(s: HeldStream): void {
    const w = this.w;
    this.byBackend[s.b].delete(s);
    w.lb.dropConn(s.b);
    if (w.lb.slotFreed !== null) w.lb.slotFreed(s.b);
    w.onHeldStreamEnded(s);
  }
}
