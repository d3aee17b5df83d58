import type { TcpState } from '../../net/tcp.js';

/**
 * What the L4 balancer holds for a client flow (its connection table entry, HAProxy's stream in
 * `mode tcp`, IPVS's connection entry).
 */
export const LbFlow = {
  /** No entry: the flow is not through the balancer (not yet connected, or ended). */
  NONE: 0,
  /** The balancer forwards the flow's packets to its backend. */
  TRACKED: 1,
  /** A hard removal dropped the entry: the next packet from either side is answered with RST. */
  FORGOTTEN: 2,
} as const;
export type LbFlow = (typeof LbFlow)[keyof typeof LbFlow];

/**
 * One client TCP connection through the balancer to a backend's nginx: the 4-tuple the VM sees,
 * both ends' TCP states and the balancer's entry. Conn (conn.ts) is the pooled record that
 * implements it, together with the HTTP exchange or WebSocket session on the flow.
 */
export interface Flow {
  readonly id: number;
  /** Backend index the flow is attached to, or -1. */
  backend: number;
  /** Client address index and source port: the 4-tuple the VM sees. */
  clientIp: number;
  clientPort: number;
  lbFlow: LbFlow;
  clientTcp: TcpState;
  serverTcp: TcpState;
}
