import { RandomStreams } from '../engine/random.js';
import type { Scenario } from '../scenario/schema.js';
import { definedOnly } from '../util/defined-only.js';
import { AppServer } from './app/app-server.js';
import { BareClientConns } from './app/bare-client-conns.js';
import { TlsHandshakes } from './app/tls.js';
import { WsEndpoint } from './app/ws-endpoint.js';
import { HttpClients } from './clients/http-keepalive.js';
import { RequestClients } from './clients/open-loop.js';
import { WsClients } from './clients/websocket.js';
import { kubeletProbes } from './control/k8s-probes.js';
import { Rollout } from './control/k8s-rollout.js';
import { Kubelet } from './control/kubelet.js';
import { Orchestrator } from './control/timeline.js';
import { World } from './core/world.js';
import { defineGauges } from './gauges.js';
import { FrontendListener } from './lb/frontend-listener.js';
import { enterMaintenance, lbHealthChecks, natForgetFlows } from './lb/health.js';
import { LbConnector } from './lb/l4-connect.js';
import { RequestBalancer } from './lb/l7-dispatch.js';
import { L7HttpFront } from './lb/l7-http-front.js';
import { L7ServerConns } from './lb/l7-server-conns.js';
import { L7WsFront } from './lb/l7-ws-front.js';
import { LoadBalancer, natRandomPicks, parsePoolState } from './lb/pool.js';
import { BackendQueue } from './lb/queue.js';
import { ProxyIdleTimeouts } from './lb/timeouts.js';
import { NginxClientConns } from './proxy/client-conns.js';
import { NginxMaster } from './proxy/master.js';
import { RequestPath } from './proxy/upstream.js';
import { TlsCpu } from './proxy/worker-cpu.js';
import { Backend } from './vm/backend.js';
import { ClientConnsByVm } from './vm/client-conns-by-vm.js';
import { Lifecycle } from './vm/lifecycle.js';

/** The model of one run, exposed for tests that look inside. */
export interface Model {
  world: World;
  http: HttpClients;
  ws: WsClients;
  requests: RequestClients;
  app: AppServer;
  orchestrator: Orchestrator;
  lifecycle: Lifecycle;
  kubelet: Kubelet;
  /** HAProxy http mode's server connection pools (their purge schedule feeds the check tree), else null. */
  serverConns: L7ServerConns | null;
  /** HAProxy's frontend under lb.frontend_maxconn (its accept queue), else null. */
  frontend: FrontendListener | null;
}

/** Build the world for a resolved scenario: components wired to one engine. */
export function buildModel(scenario: Scenario): Model {
  const streams = new RandomStreams(scenario.seed);
  const world = new World(scenario, buildBackends(scenario, streams), buildBalancer(scenario), streams);
  // srv_dynamic_maxconn() reads the clock's whole seconds (slowstart's ramp); IPVS entries' timers
  // (LoadBalancer.natFlowClosed) run on it.
  world.lb.clock = world.engine;
  if (world.lb.maxconn > 0) {
    // One backend queue for every stream beyond maxconn (`timeout queue` unset: `timeout connect`).
    const lb = scenario.lb;
    const pool = world.lb;
    pool.useQueue(
      new BackendQueue(
        world.engine,
        lb.timeout_queue ?? lb.connect_timeout,
        (b) => pool.eligible(b),
        (b) => !pool.full(b),
        pool.count,
      ),
    );
  }
  const connector = new LbConnector(world);
  // The balancer's own connection limit (frontend/global maxconn): every client connect meets it.
  const frontend = FrontendListener.of(world);
  if (frontend !== null) {
    connector.frontend = frontend;
    world.onClientClosed = frontend.closed;
    // A mode tcp stream held after its client's close keeps the session's slot (core/held-streams.ts).
    world.onStreamHeld = frontend.keptByStream;
    world.onHeldStreamEnded = frontend.streamEnded;
  }
  const app = new AppServer(world);
  const tlsHandshakes = new TlsHandshakes(world, app);
  const path = new RequestPath(world, app, tlsHandshakes);
  const front = new NginxClientConns(world, path);
  let tlsCpu: TlsCpu | null = null;
  if (TlsCpu.used(world)) {
    // TLS ends in nginx (or at a balancer with nbthread) on some VM: CPU queues (proxy/worker-cpu.ts).
    const cpu = new TlsCpu(world);
    tlsCpu = cpu;
    world.onAccepted = cpu.accepted;
    world.onEnded = cpu.ended;
    front.cpu = cpu;
    cpu.workerConns = path.workerConns;
    // Busy workers accept late: connections beyond nginx's listen backlog are SYNs the kernel drops.
    connector.listenQueues = cpu;
  }
  path.sink = front;
  // A bare app server (proxy: none) ends the clients' own connections itself (l4, nat).
  const bareFront = new BareClientConns(world, app);
  // An event-loop app's listener checks the clients' own connects (l4, nat) at the SYN and the final ACK.
  connector.bareApps = { listener: app.listener, clientConns: bareFront };
  // The L4 proxy's idle timeouts sit between the clients and the VM's side of their connections.
  const proxyTimeouts = new ProxyIdleTimeouts(
    world,
    world.backends.some((b) => b.bare) ? new ClientConnsByVm(world, front, bareFront) : front,
  );
  // HAProxy http mode: one pool of server connections per server, whichever frontend's stream.
  const serverConns = scenario.lb.mode === 'l7' ? new L7ServerConns(world) : null;
  const { http, l7Front, httpBalancer } = buildHttpClients(world, app, connector, proxyTimeouts, serverConns);
  if (l7Front !== null) l7Front.frontend = frontend;
  // A keep-alive client's stream that outlives its client keeps its frontend slot until it ends.
  if (frontend !== null && httpBalancer !== null) httpBalancer.onStreamEnd = frontend.streamEnded;
  front.sink = http;
  bareFront.sink = http;
  proxyTimeouts.sink = http;
  front.nat = connector.nat;
  bareFront.nat = connector.nat;
  const wsEndpoint = new WsEndpoint(world, path);
  // An L7 balancer answers a WebSocket upgrade it cannot place with 503; the tunnel is the same.
  const ws = new WsClients(world, scenario.lb.mode === 'l7' ? new L7WsFront(connector) : connector, wsEndpoint);
  wsEndpoint.downstream = ws;
  wsEndpoint.nat = connector.nat;
  // An upgrade is read only after its connection's own TLS handshake.
  ws.tls = tlsCpu;
  // Behind HAProxy http mode each open-loop request is a stream counted on its server (scur), as
  // the keep-alive clients' are: leastconn weighs it and a drain waits for it.
  // A NAT's random endpoint choice draws from a stream of its own (LoadBalancer.natSchedule).
  const requestPicks = natRandomPicks(scenario.lb) ? 'lb.nat-pick.requests' : 'lb.pick.requests';
  const balancer = new RequestBalancer(world, app, requestPicks, scenario.lb.mode === 'l7', serverConns);
  const requests = new RequestClients(world, balancer);
  balancer.downstream = requests;
  const master = new NginxMaster(world, http, wsEndpoint, path);
  // nginx's QUIT resets the connections its busy workers left in the accept queue (TLS in nginx).
  master.listenQueues = tlsCpu;
  const lifecycle = new Lifecycle(world, wsEndpoint, path, master);
  if (l7Front !== null) lifecycle.useClientFront(l7Front);
  // Entering maint closes the server's idle connections (srv_cleanup_connections()).
  lifecycle.useServerConns(serverConns);
  // shutdown-sessions ends the HTTP streams attached to a server (srv_shutdown_streams()).
  if (httpBalancer !== null) lifecycle.useRequestBalancers([httpBalancer, balancer]);
  const kubelet = new Kubelet(world, lifecycle);
  const orchestrator = new Orchestrator(
    world,
    lifecycle,
    http,
    ws,
    requests,
    wsEndpoint,
    app,
    new Rollout(world, lifecycle, kubelet),
    master,
  );
  defineGauges(world, wsEndpoint, serverConns);
  return { world, http, ws, requests, app, orchestrator, lifecycle, kubelet, serverConns, frontend };
}

/**
 * Keep-alive clients reach nginx through the L4 balancer (l4, nat), or end their connections at
 * an L7 balancer that balances each request on its own (l7: lb/l7-http-front.ts).
 */
function buildHttpClients(
  w: World,
  app: AppServer,
  connector: LbConnector,
  nginx: ProxyIdleTimeouts,
  serverConns: L7ServerConns | null,
): { http: HttpClients; l7Front: L7HttpFront | null; httpBalancer: RequestBalancer | null } {
  if (w.scenario.lb.mode !== 'l7')
    return { http: new HttpClients(w, connector, nginx), l7Front: null, httpBalancer: null };
  const balancer = new RequestBalancer(w, app, 'lb.pick.http', true, serverConns);
  const l7 = new L7HttpFront(w, balancer);
  balancer.downstream = l7;
  const http = new HttpClients(w, l7, l7, l7.endClient);
  l7.sink = http;
  return { http, l7Front: l7, httpBalancer: balancer };
}

/**
 * One VM per scenario backend: the scenario-wide nginx, app and kernel settings with its own
 * overrides; a `proxy: none` backend's app listens for the balancer itself (its nginx object stays
 * idle: validation refuses nginx settings and events for it).
 */
function buildBackends(scenario: Scenario, streams: RandomStreams): Backend[] {
  return scenario.backends.map(
    (b, i) =>
      new Backend(
        i,
        b.name,
        { ...scenario.nginx, ...definedOnly(b.nginx) },
        { ...scenario.app, ...definedOnly(b.app) },
        { ...scenario.kernel, ...definedOnly(b.kernel) },
        streams,
        b.proxy === 'none',
      ),
  );
}

/** The balancer's pool with each backend's initial state and weight. */
function buildBalancer(scenario: Scenario): LoadBalancer {
  const lb = new LoadBalancer(scenario.lb, scenario.backends.length);
  scenario.backends.forEach((b, i) => {
    lb.state[i] = parsePoolState(b.state);
    lb.weight[i] = b.weight;
    lb.baseWeight[i] = b.weight;
  });
  return lb;
}

/** Schedule the model's first events: clients, timeline, end of warmup, samples. */
export function startModel(model: Model): void {
  const { world } = model;
  const engine = world.engine;
  const interval = world.scenario.sample_interval;
  const horizon = world.scenario.horizon;
  // The end of the warmup first: everything due at t = 0 runs after it and is counted. The
  // clients' start() runs now, and with warmup 0 a paced population's first arrival is due at 0
  // (arrivals.ts PacedArrivals firstAtStart); reset after it, its connection was not counted.
  engine.at(0, () => world.metrics.resetCounters(), null);
  model.http.start();
  model.ws.start();
  model.requests.start();
  model.orchestrator.start();
  // Checks start in this order (LB checks, then readiness, then liveness): first checks at the same time fire so.
  const lbChecks = lbHealthChecks(
    world,
    model.app,
    (b) => model.lifecycle.shutdownSessions(b, 'down'),
    model.serverConns?.idleTask ?? null,
    (b) => natForgetFlows(world, b, model.ws),
  );
  model.lifecycle.useLbChecks(lbChecks[0] ?? null);
  // A server that starts in maint (HAProxy's `disabled` keyword; with lb.mode l7 also `detached`,
  // drainsim's remove, which is maint there) starts with its checks paused and health 0
  // (src/server.c srv_parse_disabled(): CHK_ST_PAUSED, check.health = 0), as `set_server … maint` does.
  world.scenario.backends.forEach((spec, b) => {
    if (spec.state === 'maint' || (spec.state === 'detached' && world.scenario.lb.mode === 'l7'))
      enterMaintenance(b, lbChecks[0] ?? null);
  });
  for (const checker of [...lbChecks, ...kubeletProbes(world, model.app, model.kubelet)]) checker.start();
  model.kubelet.start();
  const sample = (k: number): void => {
    world.metrics.sample(k * interval);
    if (k * interval < horizon) engine.at((k + 1) * interval, sample, k + 1);
  };
  engine.at(interval, sample, 1);
  engine.at(60, observeSockets, world);
}

/**
 * Once a minute, a /proc/net/sockstat TCP line for each VM holding many TIME_WAIT sockets, the way
 * an operator watching the surge would record it (seed Part 6 case 3: the tw that `ss -s` reads
 * from that file, iproute2 misc/ss.c get_sockstat(); trace/catalog.ts says why not ss's own layout).
 */
/** Below this many TIME_WAIT sockets a VM is not worth a sockstat line. */
const SS_LOG_MIN_TIME_WAIT = 10_000;

function observeSockets(w: World): void {
  for (const b of w.backends) {
    const tw = b.timeWaitCount(w.now);
    if (tw < SS_LOG_MIN_TIME_WAIT) continue;
    const inuse = b.host.openCount;
    w.trace.emit({
      kind: 'kernel.ss',
      backend: b.name,
      inuse,
      // Derived from the VM's kernel, not a constant: no VM-side path of the model holds an orphan
      // longer than a round trip (net/host-sockets.ts orphanCount), so 0 in every built-in run.
      orphan: b.host.orphanCount,
      tw,
      upstreamPortsBusy: b.upstreamPortsBusy(w.now),
      portRange: b.kernel.ip_local_port_range,
    });
  }
  if (w.now + 60 <= w.scenario.horizon) w.engine.schedule(60, observeSockets, w);
}
