import type { RandomStreams } from '../../engine/random.js';
import type { HostSockets } from '../../net/host-sockets.js';
import { TCP_TIMEWAIT_LEN_S } from '../../net/kernel-config.js';
import type { KernelConfig } from '../../scenario/schema.js';
import { bootHost, hostKernelConfig, LB_ADDRESS, NGINX_PORT, vmAddress } from './kernel-hosts.js';

/**
 * The load balancer's own machine when it proxies (lb.mode l4; HAProxy `mode tcp`): a Linux host
 * with the `lb.kernel` settings. HAProxy opens its own connection to the chosen server
 * (src/proto_tcp.c tcp_connect_server(): socket(), connect() without a bound port), so the source
 * port comes from this host's __inet_hash_connect() walk towards vm:443
 * (net/ipv4/inet_hashtables.c), not from the client; the backend sees LB_ADDRESS:port. The side
 * that closes first holds the TIME_WAIT: a client that closes first makes HAProxy close its
 * server connection first, so this host keeps the port in TIME_WAIT towards that backend
 * (tcp_time_wait(), net/ipv4/tcp_minisocks.c) and tcp_tw_reuse of this host decides whether a
 * later connect() may take it over (tcp_twsk_unique(), net/ipv4/tcp_ipv4.c; with the default 2
 * only on loopback, so not towards a VM). Out of ports, connect() fails with EADDRNOTAVAIL.
 *
 * An L4 NAT (lb.mode nat) has no such host: the client's own 4-tuple reaches the backend.
 */
export class LbHost {
  readonly host: HostSockets;
  /** The connecting pair LB_ADDRESS → vm(b):443 of each backend. */
  private readonly backendPairs: number[] = [];

  constructor(kernel: KernelConfig, streams: RandomStreams, backends: number) {
    this.host = bootHost(hostKernelConfig(kernel), streams.stream('kernel.lb'));
    for (let b = 0; b < backends; b++)
      this.backendPairs.push(this.host.connectPair(LB_ADDRESS, vmAddress(b), NGINX_PORT));
  }

  backendPair(b: number): number {
    return this.backendPairs[b];
  }

  /** connect() towards backend b: the local port, or −1 (EADDRNOTAVAIL). */
  connect(b: number, now: number): number {
    return this.host.connect(this.backendPairs[b], now);
  }

  /**
   * TIME_WAITs of the balancer's client-facing sockets (lb.mode l7: HAProxy terminates the
   * client's connection, and when it closes first — `timeout http-keep-alive`, its own error
   * reply — this host is the active closer and holds the TIME_WAIT for TCP_TIMEWAIT_LEN,
   * tcp_time_wait(), net/ipv4/tcp_minisocks.c). Their expiry times, in order (one constant length).
   */
  private readonly clientTw: number[] = [];
  private clientTwHead = 0;

  /** The balancer closed a client connection first: its socket enters TIME_WAIT. */
  clientTimeWait(now: number): void {
    this.clientTw.push(now + TCP_TIMEWAIT_LEN_S);
  }

  /** Client-facing sockets in TIME_WAIT now (the `lb_time_wait` gauge). */
  clientTimeWaits(now: number): number {
    const tw = this.clientTw;
    while (this.clientTwHead < tw.length && tw[this.clientTwHead] <= now) this.clientTwHead++;
    if (this.clientTwHead > 4096 && this.clientTwHead * 2 > tw.length) {
      tw.splice(0, this.clientTwHead);
      this.clientTwHead = 0;
    }
    return tw.length - this.clientTwHead;
  }

  /** The balancer's ports towards backend b that are open or in TIME_WAIT. */
  portsBusy(b: number, now: number): number {
    return this.host.socketsOf(this.backendPairs[b], now);
  }
}
