import type { Conn } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import type { World } from '../core/world.js';

/** AWS Network Load Balancer TCP idle timeout, 350 s (NLB docs, "Connection idle timeout"). */
export const NLB_IDLE_TIMEOUT_S = 350;

/** A flow's periodic packets the model runs no event for (a WebSocket's pings): the first at `first`, then every `every` s (∞: none). */
export interface PacketTrain {
  first: number;
  every: number;
}

/** The first packet of a flow to find its entry expired, and when the packet before it crossed. */
export interface LatePacket {
  at: number;
  after: number;
  /** The train it belongs to (index into the trains given); -1: the flow's close at `until`. */
  train: number;
}

/**
 * The connection table of an L4 NAT (lb.mode nat) forgets an idle flow: AWS NLB after its TCP
 * idle timeout (350 s; "if a client or a target sends data after the idle timeout period elapses,
 * it receives a TCP RST packet"), IPVS when the entry's timer runs out (IP_VS_TCP_S_ESTABLISHED,
 * 15 min; net/netfilter/ipvs/ip_vs_proto_tcp.c tcp_timeouts) — a packet that matches no entry
 * then reaches the director's own stack, which answers RST. An L4 or L7 proxy has no such table:
 * its own connections end by HAProxy's timeouts instead.
 */
/** How many packets firstLatePacket() looks through before giving up (trains that fill each other's gaps for ever). */
const MAX_TRAIN_STEPS = 100_000;

export class NatIdleTable {
  /** Idle seconds after which a flow is forgotten (Infinity: never, and for a proxy). */
  readonly idle: number;

  constructor(private readonly w: World) {
    const lb = w.scenario.lb;
    const t = lb.nat_idle_timeout ?? NLB_IDLE_TIMEOUT_S;
    this.idle = lb.mode === 'nat' ? t : Infinity;
  }

  /** A packet of `conn` crosses the NAT now: its entry's idle timer restarts. */
  seen(conn: Conn): void {
    this.seenAt(conn, this.w.now);
  }

  /** A packet of `conn` crossed the NAT at `at` (a ping the model runs no event for): its entry's idle timer restarted then. */
  seenAt(conn: Conn, at: number): void {
    // Without an idle timeout (a proxy) nothing reads it: no write on every packet.
    if (this.idle !== Infinity) conn.lbSeenAt = at;
  }

  /**
   * Which packet of a flow will find its entry expired (expired() true then) when, after its
   * last packet at `since`, only periodic packets cross (`trains`) until one more at `until` (its
   * close): the first more than `idle` after the packet before it. The model runs no event per
   * ping, so the table answers for the whole schedule at once. null: none (no idle timeout, a
   * train more frequent than it, or no gap longer up to and including `until`).
   */
  firstLatePacket(since: number, trains: readonly PacketTrain[], until: number): LatePacket | null {
    if (this.idle === Infinity) return null;
    // A train at least as frequent as the timeout keeps the entry alone: its first packet comes within `every` of `since`.
    for (const t of trains) if (t.every <= this.idle) return null;
    const next = trains.map((t) => t.first);
    let prev = since;
    // Bounded: each step moves a train on by more than `idle`; an endless close is given up on.
    for (let step = 0; step < MAX_TRAIN_STEPS; step++) {
      let at = until;
      let train = -1;
      for (let i = 0; i < next.length; i++)
        if (next[i] < at) {
          at = next[i];
          train = i;
        }
      if (at - prev > this.idle) return at === Infinity ? null : { at, after: prev, train };
      if (train < 0) return null;
      prev = at;
      for (let i = 0; i < next.length; i++) if (next[i] === at) next[i] += trains[i].every;
    }
    return null;
  }

  /**
   * A packet of `conn` reaches the NAT now. True when its entry expired since the last packet:
   * the flow is FORGOTTEN (the caller answers RST as for a hard removal).
   */
  expired(conn: Conn): boolean {
    if (conn.lbFlow !== LbFlow.TRACKED || this.idle === Infinity || this.w.now - conn.lbSeenAt <= this.idle)
      return false;
    conn.lbFlow = LbFlow.FORGOTTEN;
    const w = this.w;
    w.trace.emitLimited(`nat-idle-${conn.backend}`, {
      kind: 'lb.nat_idle_expired',
      backend: w.backends[conn.backend].name,
      idle: w.now - conn.lbSeenAt,
      timeout: this.idle,
    });
    return true;
  }
}
