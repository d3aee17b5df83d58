import { Engine } from '../../engine/engine.js';
import { RandomStreams } from '../../engine/random.js';
import { EventLog } from '../../metrics/event-log.js';
import { Metrics } from '../../metrics/metrics.js';
import { type HostSockets, type SynOutcome, synTaken } from '../../net/host-sockets.js';
import { TcpState } from '../../net/tcp.js';
import type { Scenario } from '../../scenario/schema.js';
import type { LoadBalancer } from '../lb/pool.js';
import type { Backend } from '../vm/backend.js';
import { ClientRecords } from './client-records.js';
import { type Conn, ConnKind, NO_ADDRESS, NO_MACHINE } from './conn.js';
import { LbFlow } from './flow.js';
import { closeFlow, EndKind, type FlowEnds, openFlow, serverEndGone } from './flow-tcp.js';
import { type HeldStream, HeldStreams } from './held-streams.js';
import { ClientHosts, clientAddress, LB_ADDRESS } from './kernel-hosts.js';
import { LbHost } from './lb-host.js';
import { type Counters, defineCounters, type ErrorKind, errnoCounter } from './series.js';
import type { VmView } from './vm-view.js';

export { EndKind } from './flow-tcp.js';

/**
 * What the balancer's server socket of a client-closed stream last did towards its silent server
 * (world.ts heldByProxy): its last I/O with the server, from which `timeout server` / `tunnel`
 * counts, and when the first segment the server never acknowledged left, from which the kernel's
 * give-up counts.
 */
export interface ServerSideIo {
  readonly lastServerIo: number;
  readonly unackedSince: number;
}

/**
 * Whether a retired client record may be given to the next client in this run (client-records.ts).
 * Not where a table keyed by the record keeps a client's entry past its connections, which the next
 * client would then inherit, or where an event of the client's connection may still be on its way
 * when it gives up: the clients' TLS session tickets and the TLS CPU queues (proxy/session-tickets.ts,
 * proxy/worker-cpu.ts), a bare app's side of the clients' connections (app/bare-client-conns.ts: its
 * handshakes and waits for a child), nginx's connections waiting for their first request
 * (proxy/awaiting-request.ts: only clients.http.reconnect eager opens them), an L7 balancer's frontend
 * (lb/l7-http-front.ts: its accept a round trip after the connect, its streams, its private server
 * connections per client). The records of the runs without any of these are reused.
 */
function reusesClientRecords(scenario: Scenario, backends: readonly Backend[]): boolean {
  if (scenario.lb.mode === 'l7' || scenario.clients.http.reconnect === 'eager') return false;
  return backends.every((b) => !b.bare && b.app.config.tls.terminates === 'none');
}

/**
 * Everything of one run wired to one engine: backends, balancer, metrics, log and the shared
 * connection primitives (open a flow, close it the way TCP does). Client populations and the
 * orchestrator are built on top of it in run-scenario.ts.
 */
export class World {
  readonly engine = new Engine(4096);
  readonly streams: RandomStreams;
  readonly metrics: Metrics;
  /** The event log: the model emits typed records (sim/trace/records.ts) into it. */
  readonly trace: EventLog;
  readonly c: Counters;
  /** The client population's machines (kernel-hosts.ts). */
  readonly clientHosts: ClientHosts;
  /** The balancer's own machine when it proxies (lb.mode l4); null for an L4 NAT. */
  readonly lbHost: LbHost | null;
  /** Streams the proxy keeps after their client closed towards a vanished server (heldByProxy). */
  readonly held: HeldStreams;
  /** A connection was accepted on backend b (app/tls.ts charges its TLS handshake); set by the composition root. */
  onAccepted: (conn: Conn, b: number) => void = () => {};
  /** Told when a connection World.attach placed ends (World.end). */
  onEnded: (conn: Conn) => void = () => {};
  /** A client's socket closed (releaseClientEnd): HAProxy's frontend frees its slot (lb/frontend-listener.ts). */
  onClientClosed: (conn: Conn) => void = () => {};
  /**
   * A client closed under a stream HAProxy mode tcp keeps (heldByProxy): the session stays with the
   * stream (the front connection is released when the stream detaches: mux_pt_detach() →
   * mux_pt_destroy() → conn_session_free(), src/mux_pt.c), and so does its frontend slot
   * (lb/frontend-listener.ts keptByStream) until onHeldStreamEnded.
   */
  onStreamHeld: (conn: Conn, stream: HeldStream) => void = () => {};
  onHeldStreamEnded: (stream: HeldStream) => void = () => {};
  private readonly sourceIps: number;
  /** The client records: made, retired at a client's end of life, made again (client-records.ts). */
  private readonly records: ClientRecords;
  /** State of the database every backend shares (a backend's own pool state is on its app). */
  private shared: 'up' | 'down' | 'slow' = 'up';
  /** Client connections attached to a backend and ended so far (each exactly once). */
  opened = 0;
  ended = 0;

  constructor(
    readonly scenario: Scenario,
    /** The VMs and the balancer, built by the composition root (topology.ts). */
    readonly backends: Backend[],
    readonly lb: LoadBalancer,
    streams: RandomStreams = new RandomStreams(scenario.seed),
  ) {
    this.streams = streams;
    this.metrics = new Metrics(
      this.backends.map((b) => b.name),
      scenario.sample_interval,
      // topology.ts samples at k × interval for k = 1, 2, … until one reaches the horizon.
      Math.ceil(scenario.horizon / scenario.sample_interval),
    );
    this.trace = new EventLog(this.engine);
    this.metrics.clock = this.engine;
    this.c = defineCounters(this.metrics);
    this.sourceIps = Math.min(scenario.clients.source_ips, 1 << 20);
    this.clientHosts = new ClientHosts(scenario.clients.kernel, this.streams);
    this.lbHost = scenario.lb.mode === 'nat' ? null : new LbHost(scenario.lb.kernel, this.streams, backends.length);
    this.held = new HeldStreams(this);
    this.records = new ClientRecords(reusesClientRecords(scenario, backends));
    this.engine.now = -scenario.warmup;
  }

  get sharedDependency(): 'up' | 'down' | 'slow' {
    return this.shared;
  }

  /** The shared database dies, slows down or recovers. */
  setSharedDependency(state: 'up' | 'down' | 'slow'): void {
    this.shared = state;
  }

  get now(): number {
    return this.engine.now;
  }

  newConn(kind: ConnKind): Conn {
    return this.records.make(kind);
  }

  /**
   * The client of `conn` has ended for good (its last connection closed, nothing left to send,
   * no timer): its record may be made again for the next client (client-records.ts).
   */
  retire(conn: Conn): void {
    this.records.retire(conn);
  }

  /**
   * The client's machine connect()s to the balancer: its port from that machine's kernel (the
   * __inet_hash_connect walk towards the VIP, skipping 4-tuples it holds open or in TIME_WAIT).
   * False: EADDRNOTAVAIL on the client machine.
   *
   * The source address is the client's own for its whole life, drawn from its own sequence at its
   * first connect: a real client is one browser, device or pod with one address, or one inner
   * client a NAT maps to one outer address (find_best_ips_proto(), net/netfilter/nf_nat_core.c,
   * hashes the inner address so "servers see the same client coming from the same IP"). So every
   * reconnect leaves from the same machine (its port walk, its TIME_WAITs) and `balance source`
   * (get_server_sh(), src/backend.c) sends it back to the same server once that one is up again.
   */
  assignTuple(conn: Conn): boolean {
    this.releaseClientEnd(conn, false);
    this.releaseLbEnd(conn, false);
    let ip = conn.clientIp;
    if (ip === NO_ADDRESS) {
      ip = Math.floor(conn.rng.next() * this.sourceIps);
      conn.clientIp = ip;
    }
    const machine = this.clientHosts.machine(ip, this.now);
    const kernels = this.clientHosts.kernels;
    const port = kernels.connect(machine, this.now);
    if (port < 0) return false;
    conn.clientPair = machine;
    conn.clientPort = port;
    return true;
  }

  /** The client's socket is closed (holding TIME_WAIT if it closed first); no-op when it has none. */
  releaseClientEnd(conn: Conn, timeWait: boolean): void {
    const machine = conn.clientPair;
    if (machine === NO_MACHINE) return;
    conn.clientPair = NO_MACHINE;
    this.clientHosts.kernels.close(machine, conn.clientPort, this.now, timeWait);
    this.onClientClosed(conn);
  }

  /** nginx's accepted socket is closed (holding TIME_WAIT if nginx closed first); no-op without one. */
  private releaseServerEnd(conn: Conn, backend: Backend, timeWait: boolean): void {
    const host = conn.serverHost;
    if (host === null) return;
    conn.serverHost = null;
    const before = host.timeWaitOverflows;
    host.close(conn.serverPair, conn.serverPort, this.now, timeWait);
    if (host.timeWaitOverflows !== before && host === backend.host) this.timeWaitOverflow(backend);
  }

  /**
   * A proxying balancer connect()s to backend b from its own host (lb-host.ts), unless this flow
   * already holds its port (a retransmitted SYN). False: EADDRNOTAVAIL on the balancer's host.
   * An L4 NAT has no port of its own: always true.
   */
  lbConnect(conn: Conn, b: number): boolean {
    const lb = this.lbHost;
    if (lb === null || conn.lbPort >= 0) return true;
    const reused = lb.host.timeWaitReused;
    const port = lb.connect(b, this.now);
    if (port < 0) return false;
    if (lb.host.timeWaitReused !== reused) this.metrics.inc(this.c.twReused, b);
    conn.holdLbPort(lb.backendPair(b), port);
    return true;
  }

  /**
   * The balancer's connection to the backend is closed, holding TIME_WAIT on the balancer's host
   * if the balancer closed it first; no-op when the flow has none.
   */
  releaseLbEnd(conn: Conn, timeWait: boolean): void {
    if (conn.lbPort < 0) return;
    this.lbHost!.host.close(conn.lbPair, conn.lbPort, this.now, timeWait);
    conn.dropLbPort();
  }

  clientIp(conn: Conn): number {
    return conn.clientIp;
  }

  /**
   * The client's SYN reaches backend b's kernel: what it met (HostSockets.acceptSyn). Taken
   * (synTaken), the flow is placed there, reopening a TIME_WAIT the VM held for the 4-tuple.
   * 'challenged': the VM held the 4-tuple open; the connecting side's RST has reset that socket
   * (resetStaleVmEnd) and its SYN goes again TCP_TIMEOUT_MIN later (lb/l4-connect.ts tupleBusy).
   * Otherwise not taken, retransmitted. `counted`: the stream already counts in b's `served`
   * (HAProxy counts it from its assignment, lb/l4-connect.ts): the flow takes that count over
   * (connect_server()'s server_take_conn only repositions, src/backend.c).
   */
  attach(conn: Conn, b: number, counted = false): SynOutcome {
    const backend = this.backends[b];
    // Through a proxy the VM sees the balancer's own 4-tuple, through a NAT the client's.
    const proxied = conn.lbPort >= 0;
    const addr = proxied ? LB_ADDRESS : clientAddress(this.clientIp(conn));
    const port = proxied ? conn.lbPort : conn.clientPort;
    const host: HostSockets = backend.host;
    const reopened = host.timeWaitReopened;
    const syn = backend.acceptFrom(addr, port, this.now);
    if (syn === 'challenged') this.resetStaleVmEnd(backend, backend.sourcePair(addr), port);
    if (!synTaken(syn)) return syn;
    if (host.timeWaitReopened !== reopened) this.metrics.inc(this.c.twReopened, b);
    conn.serverHost = host;
    conn.serverPair = backend.sourcePair(addr);
    conn.serverPort = port;
    conn.backend = b;
    conn.lbFlow = LbFlow.TRACKED;
    // keepalive_requests counts requests on this connection, not on the client's earlier ones.
    conn.requestsServed = 0;
    openFlow(conn);
    backend.conns.add(conn);
    conn.nginxGen = backend.nginx.accept(conn, this.now, backend.app.config.tls.terminates === 'nginx');
    backend.nginxConns.add(conn);
    this.opened++;
    if (counted) this.lb.keepConn(b);
    else this.lb.takeConn(b);
    this.lb.newFlows[b]++;
    this.metrics.inc(this.c.newConn, b);
    this.onAccepted(conn, b);
    return syn;
  }

  /**
   * A SYN towards nginx's :443 — a client flow's (attach), or the L7 balancer's own server
   * connect (lb/l7-server-conns.ts vmAccepts) — met the socket VM `backend` still holds open on its
   * 4-tuple (`pair`, `port`): Linux answers with a challenge ACK (net/ipv4/tcp_input.c tcp_validate_incoming() →
   * tcp_send_challenge_ack(), RFC 5961 §4.2), the connecting side in SYN_SENT answers its
   * unacceptable ACK with RST at that socket's rcv_nxt (tcp_rcv_synsent_state_process():
   * reset_and_undo), and tcp_reset() ends the socket: its owner reads ECONNRESET. The owner is the
   * flow whose VM end it is — nginx's connection, or a bare app's — and takes its own reset path
   * (forwardsClientPacket's: `reset_in`, nginx's log line, the flow ended by RST). A socket no flow
   * owns (one the model placed without a flow) is reset by the kernel alone. Recorded:
   * calibration/data/kernel-stale-tuple-rt.json.
   */
  resetStaleVmEnd(backend: VmView, pair: number, port: number): void {
    const host = backend.host;
    for (const owner of backend.conns) {
      if (owner.serverHost !== host || owner.serverPair !== pair || owner.serverPort !== port) continue;
      this.vmEndReset(owner);
      return;
    }
    host.close(pair, port, this.now, false);
  }

  /**
   * End a client connection. Both ends walk net/tcp.ts's transitions (flow-tcp.ts): the side
   * that closes first ends in TIME_WAIT (RFC 6455 §7.1.1 asks WebSocket servers to close first),
   * so the VM holds one exactly when its end of the flow ends in TIME_WAIT, and the client
   * machine exactly when the client's end does.
   */
  end(conn: Conn, how: EndKind, io?: ServerSideIo): void {
    const b = conn.backend;
    if (b < 0) return;
    const backend = this.backends[b];
    this.onEnded(conn);
    this.ended++;
    const tracked = conn.lbFlow !== LbFlow.NONE;
    const held = this.heldByProxy(conn, how, io);
    if (tracked && held === 0) this.lb.dropConn(b);
    // An IPVS entry outlives its flow, inactive, until its timer expires (LoadBalancer.natFlowClosed);
    // a forgotten flow has none, and a silent peer's is not modelled. An RST after a FIN ends it as
    // any RST does (net/netfilter/ipvs/ip_vs_proto_tcp.c tcp_states: an RST leads every state to CLOSE).
    if (conn.lbFlow === LbFlow.TRACKED && how !== EndKind.SILENT)
      this.lb.natFlowClosed(b, how === EndKind.RESET || how === EndKind.SERVER_FIN_THEN_RST);
    conn.lbFlow = LbFlow.NONE;
    if (backend.conns.delete(conn)) {
      backend.nginxConns.delete(conn);
      backend.nginx.release(conn.nginxGen);
    }
    conn.backend = -1;
    // A client whose socket is already gone answers the proxy's FIN with RST: no TIME_WAIT.
    const clientOpen = conn.clientTcp !== TcpState.CLOSED;
    const serverOpen = conn.serverTcp !== TcpState.CLOSED;
    const mode = this.scenario.lb.mode;
    const proxied = mode === 'l4' || (conn.kind === ConnKind.WS && mode === 'l7');
    if (proxied && !clientOpen && how === EndKind.SERVER_FIN) {
      // Behind a proxy nginx's peer is the proxy's server-side socket, still open whatever became
      // of the client's: HAProxy acks nginx's FIN and closes after it (the read0 cleared
      // FD_LINGER_RISK, conn_sock_read0()): an orderly close, nginx keeps its TIME_WAIT. The FIN
      // HAProxy relays to the gone client is answered with RST (no TIME_WAIT on the balancer).
      const proxySide: FlowEnds = { clientTcp: TcpState.ESTABLISHED, serverTcp: conn.serverTcp };
      closeFlow(proxySide, how);
      conn.serverTcp = proxySide.serverTcp;
    } else if (proxied && !serverOpen && conn.lbPort < 0 && how === EndKind.CLIENT_FIN) {
      // The proxy already closed its server connection (dropServerEnd(conn, true)): the client's
      // peer is HAProxy's client-facing socket, which acks its FIN and closes: the client keeps
      // its TIME_WAIT (no longer a FIN answered with RST by a gone server end).
      const proxySide: FlowEnds = { clientTcp: conn.clientTcp, serverTcp: TcpState.ESTABLISHED };
      closeFlow(proxySide, how);
      conn.clientTcp = proxySide.clientTcp;
    } else closeFlow(conn, how);
    this.releaseServerEnd(conn, backend, conn.serverTcp === TcpState.TIME_WAIT);
    this.releaseClientEnd(conn, conn.clientTcp === TcpState.TIME_WAIT);
    // A proxy relays the close: when the client closed first, HAProxy closes its server
    // connection first (and holds that TIME_WAIT); when nginx did, the VM holds it. Its timeout
    // client half-closes towards nginx and waits for nginx's FIN: it closed first there too.
    this.releaseLbEnd(conn, conn.clientTcp === TcpState.TIME_WAIT || how === EndKind.PROXY_HALF_CLOSE);
    // The proxy closing a server connection itself before nginx's FIN came back: HAProxy marks
    // every connection it opens FD_LINGER_RISK (tcp_connect_server(), src/proto_tcp.c: "close
    // hard if needed"), only a read0 clears it (conn_sock_read0(), include/haproxy/connection.h),
    // and fd_delete() then sets SO_LINGER 0 before close() (_fd_delete_orphan(), src/fd.c):
    // the FIN of its shutdown() is followed by an RST, which nginx's kernel receives.
    if (how === EndKind.PROXY_FIN && serverOpen) this.metrics.inc(this.c.resetIn, b);
    if (clientOpen && proxied) this.proxyClientSideClose(how);
    if (
      how === EndKind.CLIENT_FIN ||
      how === EndKind.SERVER_FIN ||
      how === EndKind.PROXY_FIN ||
      how === EndKind.PROXY_HALF_CLOSE
    )
      this.metrics.inc(this.c.closedFin, b);
    // The balancer's slot on b is free: a connection waiting in its queue takes it (lb/queue.ts).
    if (tracked && held === 0 && this.lb.slotFreed !== null) this.lb.slotFreed(b);
  }

  /**
   * How long the proxy keeps the stream of a connection whose client closes (its FIN, or a
   * request timeout) while its server end is silent — a vanished host, whose flows leave the
   * balancer's server socket waiting (dropServerEnd(conn, false)): lb/pool.ts
   * clientClosedStreamHold(), from the last I/O with the server. 0: it ends now. The stream keeps
   * its slot on the server and its socket on the balancer's host meanwhile (held-streams.ts, which
   * also ends it early: the kernel's give-up, the VM booting again, the process exiting).
   * A request connection's times are its own (below); a WebSocket client's, `io`, are its
   * caller's (clients/websocket.ts: its pings are what the balancer last wrote to the server). A
   * tunnel is held by the same rule: mode tcp's tunnel is a stream like any other, its server
   * side's read timeout `timeout tunnel` (set on both channels once no analyser is left,
   * process_stream(), src/stream.c, HAProxy 2.6.0) re-armed by every write to the server
   * (sc_notify(), src/stconn.c: CF_WRITE_ACTIVITY refreshes ic->rex unless independent-streams),
   * untouched by the relayed FIN unless `timeout server-fin` is set (sc_app_shutw_conn(): hcto).
   * Recorded (HAProxy 2.6.12, calibration/data/haproxy-bare-ws-vanish-*-tcp-rt.json): 8 s after the
   * last relayed ping (log sD), or at tcp_retries2's give-up on the first unanswered ping (SD).
   */
  private heldByProxy(conn: Conn, how: EndKind, io: ServerSideIo | undefined): number {
    if (conn.lbFlow !== LbFlow.TRACKED) return 0;
    if (how !== EndKind.CLIENT_FIN && how !== EndKind.SILENT) return 0;
    if (conn.serverTcp !== TcpState.CLOSED || conn.lbPort < 0) return 0;
    const times = io ?? (conn.kind === ConnKind.HTTP ? this.requestIo(conn, how) : null);
    if (times === null) return 0;
    const hold = this.lb.clientClosedStreamHold(times.lastServerIo, this.now);
    if (hold === 0) return 0;
    const stream = this.held.hold(
      conn.backend,
      conn.lbPair,
      conn.lbPort,
      conn.connectStartedAt,
      times.unackedSince,
      hold,
    );
    this.onStreamHeld(conn, stream);
    // The socket is the held stream's now, not this client record's (which may connect again).
    conn.dropLbPort();
    return hold;
  }

  /**
   * A request connection's server side: the last request written to it; SILENT, the client's
   * request timeout, its request never acknowledged; CLIENT_FIN, it closed between requests, and
   * the relayed FIN is the first segment the server does not acknowledge.
   */
  private requestIo(conn: Conn, how: EndKind): ServerSideIo {
    const lastServerIo = conn.requestStartedAt;
    return { lastServerIo, unackedSince: how === EndKind.SILENT ? lastServerIo : this.now };
  }

  /**
   * lb.mode l7: an upgraded WebSocket stream is two TCP connections, the client's to the balancer
   * and the balancer's to nginx (HAProxy `mode http` terminates the client's; the flow's client
   * and server ends above are their outer ends). The server side follows l4's rule (releaseLbEnd:
   * HAProxy relays a client's FIN with a clean shutdown(), h1_shut() SE_SHW_NORMAL, src/mux_h1.c,
   * reads nginx's FIN, which clears FD_LINGER_RISK, and holds that TIME_WAIT). On the client side,
   * when HAProxy closes first — relaying nginx's FIN (the tunnel's read0 makes the stream shut the
   * client side, src/stream.c process_stream() "shutdown(write) done on server side, we must stop
   * the client too") or ending the tunnel itself (its timeout, `shutdown sessions`) — its
   * accepted socket is the active closer: a frontend connection is never FD_LINGER_RISK (only
   * tcp_connect_server() sets it, src/proto_tcp.c), so it keeps the 60-s TIME_WAIT on the
   * balancer's host (`lb_time_wait`), as an HTTP client's connection does (lb/l7-http-front.ts).
   *
   * lb.mode l4 (HAProxy `mode tcp`) is the same two connections for every flow: nginx's FIN is
   * read (conn_sock_read0(), include/haproxy/connection.h, clears FD_LINGER_RISK: the server
   * side closes passively, no RST, no TIME_WAIT there), the response channel is then shut for
   * writing (process_stream(), src/stream.c: res CF_AUTO_CLOSE|CF_SHUTR -> channel_shutw_now(res)
   * -> sc_shutw(scf)), a FIN to the client: HAProxy's client-facing socket closes first and holds
   * the TIME_WAIT (a frontend fd is FD_LINGER_RISK only under `option nolinger`, src/session.c
   * session_accept_fd()). Its idle timeouts and `shutdown sessions` (PROXY_FIN) close it first
   * too. Not lb.mode nat: a NAT has no sockets. HAProxy v2.6.0.
   */
  private proxyClientSideClose(how: EndKind): void {
    if (how === EndKind.SERVER_FIN || how === EndKind.PROXY_FIN || how === EndKind.PROXY_HALF_CLOSE)
      this.lbHost?.clientTimeWait(this.now);
  }

  /**
   * An RST reaches the VM end of `conn`'s flow: the server side's process reads it (ECONNRESET) —
   * nginx, or a bare app server's own socket — counted in `reset_in` and logged by nginx
   * ("recv() failed (104: Connection reset by peer)"; a bare app logs nothing), and the flow ends.
   */
  vmEndReset(conn: Conn): void {
    const b = conn.backend;
    const backend = this.backends[b];
    if (backend.conns.has(conn) && (backend.bare ? backend.app.up : backend.nginx.running)) {
      this.metrics.inc(this.c.resetIn, b);
      const http = this.scenario.clients.http;
      if (!backend.bare)
        this.trace.emitLimited(`lb-rst-in-${b}`, {
          kind: 'nginx.reset_reading_request',
          backend: backend.name,
          retries: http.retries,
          retryBackoff: http.retry_backoff,
        });
    }
    this.end(conn, EndKind.RESET);
  }

  /**
   * nginx's socket of a flow is gone while the client end is not told: the balancer reset it
   * (`reset`, a forgotten flow) or its host vanished. The flow stays on the client's books.
   */
  dropServerEnd(conn: Conn, reset: boolean): void {
    const backend = this.backends[conn.backend];
    if (backend.conns.delete(conn)) {
      backend.nginxConns.delete(conn);
      backend.nginx.release(conn.nginxGen);
    }
    serverEndGone(conn, reset);
    this.releaseServerEnd(conn, backend, false);
    // A reset flow is gone on the balancer too; a vanished host's leaves the balancer waiting.
    if (reset) this.releaseLbEnd(conn, false);
  }

  timeWaitOverflow(backend: VmView): void {
    this.metrics.inc(this.c.twOverflow, backend.index);
    this.trace.emitLimited(`tw-overflow-${backend.index}`, {
      kind: 'kernel.tw_overflow',
      backend: backend.name,
      maxTwBuckets: backend.kernel.tcp_max_tw_buckets,
    });
  }

  /** Count a client-visible error. */
  error(kind: ErrorKind, b: number): void {
    this.metrics.inc(this.c.errors, b);
    // A 5xx is already counted as a response (responses_5xx) where it is answered.
    const byKind = errnoCounter(this.c, kind);
    if (byKind >= 0) this.metrics.inc(byKind, b);
  }
}
