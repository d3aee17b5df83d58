import type { HostSockets } from '../../net/host-sockets.js';
import type { KernelConfig } from '../../scenario/schema.js';
import type { AppProcess } from '../app/app-process.js';
import type { Nginx } from '../proxy/nginx.js';
import type { UpstreamConn } from './conn.js';
import type { ConnList } from './conn-list.js';

/**
 * One VM as the tiers on it (app/, proxy/) see it: its processes, its kernel, the connections it
 * holds and the few facts of its life they read. The VM itself (vm/backend.ts) implements it and
 * owns boot and vanish; the tiers never import vm/, so the direction stays core ← tiers ← vm.
 */
export interface VmView {
  readonly index: number;
  readonly name: string;
  readonly kernel: KernelConfig;
  readonly nginx: Nginx;
  readonly app: AppProcess;
  /**
   * No nginx in front of the app (`backends[].proxy: none`): the balancer connects to the app
   * server's own listener, and its `nginx` is never signalled (the schema refuses nginx events).
   */
  readonly bare: boolean;
  /** The VM's kernel (a rebuilt VM boots a new one). */
  readonly host: HostSockets;
  /** The host exists and its kernel answers packets. */
  readonly hostUp: boolean;
  /** Bumped when the VM is rebuilt or re-bound: timers of an earlier life stand down. */
  readonly incarnation: number;
  /** Client connections whose server end is on this VM. */
  readonly conns: ConnList;
  readonly wsSessions: ConnList;
  /** nginx's idle cached upstream connections, most recently used last. */
  readonly upstreamPool: UpstreamConn[];
  readonly busyWorkers: number;
  readonly appQueueLength: number;
  /** The app's effective accept backlog. */
  readonly appBacklog: number;
  /** nginx's connecting pair towards the app and the app's accepting pair for nginx. */
  readonly upstreamPair: number;
  readonly appPair: number;
  /**
   * nginx connect()s to the app: a port, −1 EADDRNOTAVAIL, −2 SYN not taken (retransmit), −3 the
   * SYN met the app's open end on `challengedPort` (challenge ACK: Backend.connectUpstream).
   */
  connectUpstream(now: number): number;
  readonly challengedPort: number;
}
