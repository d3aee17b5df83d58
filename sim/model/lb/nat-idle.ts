import type { Conn } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import type { World } from '../core/world.js';

/** AWS Network Load Balancer TCP idle timeout, 350 s (NLB docs, "Connection idle timeout"). */
export const NLB_IDLE_TIMEOUT_S = 350;

/**
 * The connection table of an L4 NAT (lb.mode nat) forgets an idle flow: AWS NLB after its TCP
 * idle timeout (350 s; "if a client or a target sends data after the idle timeout period elapses,
 * it receives a TCP RST packet"), IPVS when the entry's timer runs out (IP_VS_TCP_S_ESTABLISHED,
 * 15 min; net/netfilter/ipvs/ip_vs_proto_tcp.c tcp_timeouts) — a packet that matches no entry
 * then reaches the director's own stack, which answers RST. An L4 or L7 proxy has no such table:
 * its own connections end by HAProxy's timeouts instead.
 */
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
    // Without an idle timeout (a proxy) nothing reads it: no write on every packet.
    if (this.idle !== Infinity) conn.lbSeenAt = this.w.now;
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
