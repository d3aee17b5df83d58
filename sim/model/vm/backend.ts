import type { RandomStreams } from '../../engine/random.js';
import { type HostSockets, type SynOutcome, synTaken } from '../../net/host-sockets.js';
import type { AppConfig, KernelConfig, NginxConfig } from '../../scenario/schema.js';
import { acceptsByEventLoop } from '../app/accept-model.js';
import { AppProcess } from '../app/app-process.js';
import type { UpstreamConn } from '../core/conn.js';
import { ConnList } from '../core/conn-list.js';
import { APP_PORT, bootHost, hostKernelConfig, LOOPBACK, NGINX_PORT, vmAddress } from '../core/kernel-hosts.js';
import type { VmView } from '../core/vm-view.js';
import { NginxConnTally } from '../proxy/memory.js';
import { Nginx } from '../proxy/nginx.js';

/**
 * How a backend's processes come back. Each is a real event with its own scope; they share the
 * one boot path below, which states what each resets.
 */
export const Boot = {
  /** A rebuilt or re-bound VM (deploy `rebind_after`, a `bind` of a stopped backend): everything new. */
  NEW_VM: 0,
  /** The kubelet restarts the app container (liveness failure): same VM, same nginx, same kernel. */
  CONTAINER_RESTART: 1,
  /** A rolling update's replacement pod becomes Ready in the old one's place. */
  POD_REPLACED: 2,
} as const;
export type Boot = (typeof Boot)[keyof typeof Boot];

/**
 * One VM: its kernel (a HostSockets: every 4-tuple it holds, open or in TIME_WAIT, on the client
 * side towards the balancer and on both ends of nginx → app), its nginx and its app,
 * each process with its own state machine (proxy/nginx.ts, app/app-process.ts). The VM owns the
 * one boot path and the one vanish path; what happens to the connections then is lifecycle.ts,
 * the request path is proxy/upstream.ts.
 */
export class Backend implements VmView {
  private alive = true;
  /** The balancer's entry for this slot addresses a deleted pod whose IP is gone (balancerEntryStale). */
  private entryStale = false;
  readonly nginx: Nginx;
  readonly app: AppProcess;

  /** The VM's kernel; a rebuilt VM boots a new one. */
  host!: HostSockets;
  /** The pairs below as interned on this kernel for `pairsLoopback` (-1: not yet). */
  private pairsFor = -1;
  /**
   * The nginx configuration the pairs were last checked against (null: not since this kernel
   * booted). A reload replaces nginx's configuration object (Nginx.reload; none is written in
   * place), so while it is the same object `upstream_loopback` has not changed and the getters
   * below return the pairs without reading the configuration: they inline into the request path,
   * where re-reading it on each of ~2.3 M calls in the fleet run cost ~60 M instructions.
   */
  private pairsConfig: NginxConfig | null = null;
  private connectingPair = 0;
  private acceptingPair = 0;
  /** Kernels booted so far: each boot draws from its own stream. */
  private boots = 0;
  /** Bumped when the VM is rebuilt or re-bound: timers of an earlier life check it and stand down. */
  private life = 0;

  /** Client connections whose server end is on this VM (insertion order is deterministic). */
  readonly conns = new ConnList('vmSlot');
  /** `conns` as the nginx memory gauges price them (proxy/memory.ts), kept alongside it in world.ts. */
  readonly nginxConns = new NginxConnTally();
  readonly wsSessions = new ConnList('kindSlot');
  /** Idle pooled upstream connections, most recently used last (nginx reuses the head of its cache). */
  readonly upstreamPool: UpstreamConn[] = [];

  constructor(
    readonly index: number,
    readonly name: string,
    nginx: NginxConfig,
    app: AppConfig,
    readonly kernel: KernelConfig,
    private readonly streams: RandomStreams,
    /** `proxy: none`: the app server listens for the balancer itself (VmView.bare). */
    readonly bare = false,
  ) {
    this.nginx = new Nginx(nginx);
    this.app = new AppProcess(app, acceptsByEventLoop({ bare, app: { config: app } }));
    this.resetKernel();
  }

  /** The host exists and its kernel answers packets. */
  get hostUp(): boolean {
    return this.alive;
  }

  /**
   * What the balancer (HAProxy, or kube-proxy's NAT) sends to this slot gets an answer: the host
   * is up and the balancer's entry addresses it. While the entry still names a deleted pod's
   * released IP, its SYNs and segments go to an address nobody holds, whereas the pod in the slot
   * now, with an IP of its own, answers the kubelet's probes (hostUp).
   */
  get answersBalancer(): boolean {
    return this.alive && !this.entryStale;
  }

  /**
   * A deleted pod's IP was released while the balancer's entry for this slot still addresses it
   * (its endpoint's removal has not landed): what the balancer sends here goes unanswered.
   */
  balancerEntryStale(): void {
    this.entryStale = true;
  }

  /** The balancer's entry no longer addresses the gone pod: its removal landed, or a new pod's endpoint took it. */
  balancerEntryRenewed(): void {
    this.entryStale = false;
  }

  get incarnation(): number {
    return this.life;
  }

  /**
   * The one path by which a backend's processes start again. What it resets differs by `kind`, as
   * the model has always done (kept byte-identical by the restructuring; candidates for the
   * behaviour issue): only NEW_VM resets the kernel, the pause in force and nginx; CONTAINER_RESTART
   * does not start a new VM life (its timers keep running); POD_REPLACED keeps the app's
   * drain-hook flag.
   */
  boot(kind: Boot): void {
    if (kind === Boot.NEW_VM) {
      if (!this.alive) this.resetKernel();
      this.life++;
      this.app.pausedUntil = -Infinity;
      this.alive = true;
      this.nginx.start();
    } else if (kind === Boot.POD_REPLACED) this.life++;
    this.app.start();
    if (kind !== Boot.POD_REPLACED) this.app.drainHookDone = false;
    // A restarted or replaced container starts from its image, with a fresh writable layer: the
    // kubelet creates a new container for every restart (pkg/kubelet/kuberuntime/
    // kuberuntime_container.go startContainer → runtimeService.CreateContainer), so an operator's
    // maintenance file touched inside the old one is gone (review31 #3). A VM's disk keeps it.
    if (kind !== Boot.NEW_VM) this.app.setMaintenanceFile(false);
  }

  /** The host disappears: no process, no kernel answering (peers get no FIN and no RST). */
  vanish(): void {
    this.alive = false;
    this.nginx.stop();
    this.app.hostLost();
  }

  /**
   * A pod's new sandbox in this backend's slot after the old one was torn down (vanish): a new
   * network namespace with its own address answers again — a fresh kernel (no socket, no
   * TIME_WAIT of the old pod's) and the pod's nginx started anew. The app container is the
   * kubelet's to start (boot POD_REPLACED when it listens). No-op while the host is up.
   */
  sandboxCreated(): void {
    if (this.alive) return;
    this.resetKernel();
    this.alive = true;
    this.nginx.start();
  }

  /**
   * A new (or rebuilt) VM's kernel: a new boot (secrets, table_perturb[], jiffies phase), no
   * socket held. Stream `kernel.vm.<name>` for the first boot, `…#<n>` for the n-th rebuild.
   */
  resetKernel(): void {
    const stream = `kernel.vm.${this.name}${this.boots === 0 ? '' : `#${this.boots}`}`;
    this.boots++;
    this.host = bootHost(hostKernelConfig(this.kernel), this.streams.stream(stream));
    this.pairsFor = -1;
    this.pairsConfig = null;
    this.internUpstreamPairs();
  }

  /**
   * nginx's connecting pair towards the app and the app's accepting pair for nginx, for the
   * upstream address of nginx's current configuration: 127.0.0.1 → 127.0.0.1:8080 on loopback
   * (tcp_tw_reuse=2 applies: ipv4_is_loopback in tcp_twsk_unique), the VM's own address
   * otherwise (it does not). Read at each connect, not once at boot: a reload that changes
   * `upstream_loopback` (proxy_pass to another address) makes the new generation's connect()s
   * use the other 4-tuples, while connections opened before keep theirs (UpstreamConn.pair).
   */
  private internUpstreamPairs(): void {
    const config = this.nginx.config;
    this.pairsConfig = config;
    const loopback = config.upstream_loopback ? 1 : 0;
    if (loopback === this.pairsFor) return;
    this.pairsFor = loopback;
    const addr = loopback ? LOOPBACK : vmAddress(this.index);
    this.connectingPair = this.host.connectPair(addr, addr, APP_PORT);
    this.acceptingPair = this.host.acceptPair(addr, APP_PORT, addr);
  }

  /** nginx's connecting pair towards the app (for its current upstream address). */
  get upstreamPair(): number {
    if (this.nginx.config !== this.pairsConfig) this.internUpstreamPairs();
    return this.connectingPair;
  }

  /** The app's accepting pair for nginx's connections (for nginx's current upstream address). */
  get appPair(): number {
    if (this.nginx.config !== this.pairsConfig) this.internUpstreamPairs();
    return this.acceptingPair;
  }

  /**
   * The accepting pair of nginx's :443 for source address `addr`: a client machine's through an
   * L4 NAT, the balancer's own when it proxies.
   */
  sourcePair(addr: number): number {
    // Interned by the kernel model, which lets the pair go once no socket is left on it: the id
    // is the flow's to keep while it holds its socket (Conn.serverPair), not the VM's forever.
    return this.host.peerAcceptPair(vmAddress(this.index), NGINX_PORT, addr);
  }

  /**
   * A SYN from `addr:port` reaches nginx's listener. A TIME_WAIT this VM holds for that 4-tuple
   * is reopened (tcp_timewait_state_process TCP_TW_SYN) when the SYN's timestamp is newer than
   * the last one seen, which the sender's TSval clock (milliseconds) makes it.
   */
  acceptFrom(addr: number, port: number, now: number): SynOutcome {
    return this.host.acceptSyn(this.sourcePair(addr), port, now, Math.floor(now * 1000));
  }

  get busyWorkers(): number {
    return this.app.busyWorkers;
  }

  get appQueueLength(): number {
    return this.app.queueLength;
  }

  /** The effective accept backlog of the app: min(listen backlog, somaxconn), +1 as Linux counts. */
  get appBacklog(): number {
    return Math.min(this.app.config.backlog, this.kernel.somaxconn) + 1;
  }

  /**
   * The most connections the kernel holds not yet accept()ed on nginx's :443: the `listen`
   * backlog (nginx.listen_backlog, NGX_LISTEN_BACKLOG 511) capped by somaxconn (__sys_listen,
   * net/socket.c), +1 because sk_acceptq_is_full() (include/net/sock.h) tests `>`. Read from the
   * current configuration: a reload re-listen()s the inherited socket with its backlog
   * (ngx_configure_listening_sockets, src/core/ngx_connection.c).
   */
  get nginxBacklog(): number {
    return Math.min(this.nginx.config.listen_backlog, this.kernel.somaxconn) + 1;
  }

  /**
   * sk_max_ack_backlog of nginx's :443 listener: min(listen backlog, somaxconn) (__sys_listen),
   * the bound both queue tests compare with `>` (sk_acceptq_is_full, inet_csk_reqsk_queue_is_full).
   */
  get maxAckBacklog(): number {
    return this.nginxBacklog - 1;
  }

  /**
   * nginx connect()s to the app: a port from the kernel's walk (−1: EADDRNOTAVAIL), and the app's
   * listener takes the SYN (reopening a TIME_WAIT the app holds for that 4-tuple). −3: the app
   * still holds the 4-tuple open (its end of a connection nginx left: HostSockets.acceptSyn
   * 'challenged'), on port `challengedPort`: its challenge ACK draws nginx's RST, which resets that
   * end (the caller's to close: RequestPath.connectUpstream), and the SYN goes again
   * TCP_TIMEOUT_MIN later. −2: not taken otherwise, retransmitted on the SYN schedule. nginx's
   * socket is closed on both: the retransmission is modelled as a new connect().
   */
  connectUpstream(now: number): number {
    const port = this.host.connect(this.upstreamPair, now);
    if (port < 0) return -1;
    const syn = this.host.acceptSyn(this.appPair, port, now, Math.floor(now * 1000));
    if (synTaken(syn)) return port;
    this.host.close(this.upstreamPair, port, now, false);
    this.challengedPort = syn === 'challenged' ? port : -1;
    return syn === 'challenged' ? -3 : -2;
  }

  /** The port of the last connectUpstream() whose SYN met an open app end (−3), else −1. */
  challengedPort = -1;

  /**
   * TIME_WAIT sockets on this VM now (expired ones first removed), like the `tw` of /proc/net/sockstat
   * (`ss -s`'s timewait): with the timewait socks in their FIN_WAIT2 substate (host-sockets.ts
   * finWait2Count: nginx's upstream sockets closed at proxy_read_timeout), which Linux counts there too.
   */
  timeWaitCount(now: number): number {
    this.host.expire(now);
    return this.host.timeWaitCount + this.host.finWait2Count;
  }

  /** nginx's ports towards the app that are open or in TIME_WAIT. */
  upstreamPortsBusy(now: number): number {
    return this.host.socketsOf(this.upstreamPair, now);
  }
}
