import { preferDoubleFields } from '../../engine/double-fields.js';
import type { Callback, Engine, LaneId } from '../../engine/engine.js';
import { Mulberry32 } from '../../engine/mulberry32.js';
import type { HostSockets } from '../../net/host-sockets.js';
import type { TcpState } from '../../net/tcp.js';
import { type AppJob, ReqPhase, type Status } from './app-job.js';
import { ConnRare } from './conn-rare.js';
import type { HttpExchange, UpstreamConn, WsSession } from './exchanges.js';
import type { Flow, LbFlow } from './flow.js';
import type { Req } from './request.js';
import { TimeRows } from './time-rows.js';

export type { UpstreamConn } from './exchanges.js';

/**
 * What keeps running counts of the records it holds (proxy/memory.ts): the requests in flight
 * (nginx_memory) and the upstream connections they hold (nginx's worker_connections).
 */
export interface PhaseWatch {
  /** `conn`'s request phase turned from NONE to another (true) or back to NONE (false). */
  inFlightChanged(conn: Conn, inFlight: boolean): void;
  /** `conn` got an upstream connection (true) or let its one go (false). */
  upstreamChanged(conn: Conn, held: boolean): void;
}

/** `Conn.id` of a record retired and not yet renewed (core/client-records.ts). */
export const RETIRED = -1;
/** `Conn.retryAfter` when no drain notice is pending. */
export const NO_RETRY_AFTER = -1;
/** Every request on a connection gets its `onDone` from the request path; this is the placeholder. */
const notServed = (): void => {};

/**
 * `sessionStartedAt` of a client with no WebSocket session. Not −1: a session opened during warm-up,
 * or backdated by a steady-state start (ws-endpoint.ts), really started at a negative time.
 */
export const NO_SESSION = Number.NEGATIVE_INFINITY;

/** `waitingSince` of a client that is not waiting for a connection (any real time is larger). */
export const NOT_WAITING = Number.NEGATIVE_INFINITY;
/** `clientIp` of a client that has not connected yet: it has no address drawn. */
export const NO_ADDRESS = -1;
/** `nginxIdleSince` of a connection nginx has not made reusable: read as idle since time 0. */
export const NOT_IDLE = 0;
/** `clientPair` of a client end without a socket. */
export const NO_MACHINE = -1;

/** Conn.lbEnd: no balancer port held. Ports take the low 16 bits, the pair the bits above. */
const NO_LB_END = -1;
const LB_PORT_BITS = 16;
const LB_PORT_MASK = (1 << LB_PORT_BITS) - 1;
/** The largest pair id lbEnd can hold and stay a small integer (31 bits): the balancer's pairs
 *  towards the backends are its first, 0 … backends − 1 (lb-host.ts). */
const LB_PAIR_MAX = Math.floor((2 ** 31 - 1 - LB_PORT_MASK) / (LB_PORT_MASK + 1));

export const ConnKind = { HTTP: 0, WS: 1 } as const;
export type ConnKind = (typeof ConnKind)[keyof typeof ConnKind];

/**
 * A client record's times and timer ids, in its row (time-rows.ts) in this order: timer,
 * requestTimer, upstreamReadTimer, waitingSince, requestStartedAt, serviceEnd, lastActivity,
 * connectStartedAt, nginxIdleSince. Numbers that are fractions (times) or exceed 2^31 (timer ids,
 * engine.ts `gen × SLOT_BITS + slot`), which as own fields would each be a boxed heap number of the
 * record's. The accessors below index the row with literals, not named constants: a module
 * constant adds a context load and a hole check to each accessor's bytecode, and the setters then
 * pass the 27 bytes under which TurboFan inlines a function whatever its caller's inlining budget
 * (V8 flag max_inlined_bytecode_size_small); measured, the named constants cost drain 10k +12 %
 * instructions (callgrind) as calls into the accessors.
 */
/**
 * Then, in the row's last four doubles read as eight int32s (time-rows.ts `ints`: int32 k of the
 * row is at 2 × at + 18 + k), the record's per-connection small integers: clientIp, clientPort,
 * clientPair, serverPair, serverPort, lbEnd, vmSlot, nginxGen. As own fields they were 8 bytes each
 * of every record (a small integer in a 64-bit slot); in the row 4, and the record keeps one more
 * field, the page's int32 view: 24 bytes less a record (~2.4 MB of the ~99,000 records at drain
 * 100k; issue 14). Only numbers that are int32 by construction (addresses and machine numbers,
 * ports, pair ids, list slots, a generation) are here: a count that a distribution draws
 * (requestsLeft) or that grows with it (requestsServed) stays a field, as do the fields every
 * request reads or writes (the packed states, backend), whose accessors would cost instructions
 * on every event. The same literal indices as the times'.
 */
const TIME_ROW_WIDTH = 13;

/** Every client record's row of times, Conn's and WsConn's alike (one process-wide allocator). */
const timeRows = new TimeRows(TIME_ROW_WIDTH);

/**
 * The pooled record of one client: its Flow (flow.ts: 4-tuple, both ends' TCP states, the LB
 * entry) and what runs on it, an HttpExchange or a WsSession (exchanges.ts), the HTTP exchange
 * being the job the app serves. The types are separate; the record is one object so that
 * per-request events allocate nothing (HTTP/1.1 has at most one exchange in flight per flow).
 *
 * It is also the client's own random sequence (it extends Mulberry32, see `rng`), so its state is
 * a field of the record rather than a second object. The fields every request touches come
 * first: V8 lays fields out in declaration order, and with thousands of clients each event's
 * first touch of its record is a cache miss; the next fields it needs are then in the same lines.
 */
export class Conn extends Mulberry32 implements Flow, HttpExchange, WsSession {
  // Every request: the client's send and respond, nginx, the app's service.
  /**
   * The record's row of times and timer ids (time-rows.ts; read and written as `timer`,
   * `waitingSince`, …, below): where it starts in its page, then the page, taken in this order
   * (take() may turn to a new page). For the life of the record.
   */
  private readonly at = timeRows.take();
  private readonly times = timeRows.page;
  /** The same page as int32s (time-rows.ts): the row's small integers (TIME_ROW_WIDTH above). */
  private readonly ints = timeRows.ints;
  /**
   * Four small states in one small integer (read and written as `clientTcp`, `serverTcp`, `phase`
   * and `lbFlow`, below): the client's TCP state in bits 0-7, nginx's accepted socket's in bits
   * 8-15 (TcpState, 0-10), the request's phase in bits 16-19 (ReqPhase, 0-3), the balancer's
   * entry in bits 20-23 (LbFlow, 0-2). One field where there were four: 24 bytes of every record,
   * ~2.4 MB of the ~99,000 records at drain 100k (issue 14). 0: every state's first value
   * (CLOSED, CLOSED, NONE, NONE). The accessors use literal masks and shifts, as the row's do
   * (TIME_ROW_WIDTH above: a module constant's load would push a setter over TurboFan's
   * always-inline size).
   */
  private states = 0;
  backend = -1;
  /** Told when the request phase turns in flight or idle while the VM's nginx tally holds the
   *  record (proxy/memory.ts NginxConnTally; null: none); beside the phase, as every write of the
   *  phase reads it. Written only by that tally. */
  phaseWatch: PhaseWatch | null = null;
  requestsLeft = 0;
  requestsServed = 0;
  /** nginx's connection to the app for this request or tunnel (read and written as `upstream`, below). */
  private up: UpstreamConn | null = null;
  onDone: (job: AppJob) => void = notServed;
  /** The app's jobs in service (job-list.ts) while this connection's request is in one. */
  inList: object | null = null;
  indexInList = -1;
  // deep, fixedService, depTimeout, depTimeoutStatus: the same for every client request, so
  // they are on the prototype (below), not 4 slots (and a boxed Infinity) in every record.
  declare readonly deep: boolean;
  declare readonly fixedService: number;
  declare readonly depTimeout: number;
  declare readonly depTimeoutStatus: Status;

  // Every connection: the 4-tuple and both ends' sockets (their numbers in the record's row, below).
  /** The VM kernel holding nginx's accepted end (null: none); its pair and port are serverPair and serverPort. */
  serverHost: HostSockets | null = null;
  // nginx's worker_connections (proxy/worker-conn-count.ts, worker-connections.ts): written only
  // in a run that limits it. In the record, not in a WeakSet and a WeakMap beside it: those cost a
  // hash lookup on every upstream change (twice a request) and an ephemeron-table entry on every
  // response, and the tables' garbage (session 17's fleet profile: 4.6 %, 3.2 % and GC 10.5 %).
  /**
   * The count of the nginx worker that holds this record, on its VM (proxy/worker-conn-count.ts
   * WorkerCell): nginx accepted it (ngx_event_accept). A record is in one VM's connections at a
   * time; null: not counted.
   */
  nginxCountedBy: object | null = null;
  /** The fields most records never set (conn-rare.ts), once one of them is set; null: all default. */
  private rare: ConnRare | null = null;

  /** Slot of the record in its VM's WebSocket sessions (conn-list.ts; −1: in none): a WsConn field. */
  declare kindSlot: number;

  // WebSocket state: fields of a WsConn (below). An HTTP client's record has no slots for them
  // and reads the defaults from the prototype (sessionEndsAt ∞, retryAfter NO_RETRY_AFTER,
  // sessionStartedAt NO_SESSION, serverCloses, ageAtConnect and tunnelSince 0).
  declare sessionEndsAt: number;
  /** retryAfter of a drain notice received in this session (NO_RETRY_AFTER: none). */
  declare retryAfter: number;
  /** When the current WebSocket session was established (NO_SESSION: none). */
  declare sessionStartedAt: number;
  /** How many times the server side closed this user's session (1001 or 1006) and sent it elsewhere. */
  declare serverCloses: number;
  /**
   * Age the user's session already had when its first connection was made: a steady-state start
   * (clients.ws.start) gives the sessions open at t = 0 the ages of a population that has run for
   * ever. Credited to the first connection only; 0 otherwise.
   */
  declare ageAtConnect: number;
  /** When this connection's tunnel was upgraded: its idle time (pings aside) counts from here. */
  declare tunnelSince: number;

  /** HTTP or WebSocket: the record's class decides it (a prototype property, no slot). */
  declare readonly kind: ConnKind;

  constructor(
    /** The client's number in its run (1, 2, …); RETIRED while the record waits for its next client (renew). */
    public id: number,
  ) {
    super();
    this.timesToDefaults();
  }

  /** The row's times, timer ids and small integers as a new record has them. */
  private timesToDefaults(): void {
    const times = this.times;
    const at = this.at;
    const ints = this.ints;
    const i = at * 2 + 18;
    ints[i] = NO_ADDRESS; // clientIp
    ints[i + 1] = 0; // clientPort
    ints[i + 2] = NO_MACHINE; // clientPair
    ints[i + 3] = 0; // serverPair
    ints[i + 4] = 0; // serverPort
    ints[i + 5] = NO_LB_END; // lbEnd
    ints[i + 6] = -1; // vmSlot
    ints[i + 7] = 0; // nginxGen
    times[at] = -1; // timer
    times[at + 1] = -1; // requestTimer
    times[at + 2] = -1; // upstreamReadTimer
    times[at + 3] = NOT_WAITING; // waitingSince
    times[at + 4] = 0; // requestStartedAt
    times[at + 5] = 0; // serviceEnd
    times[at + 6] = 0; // lastActivity
    times[at + 7] = 0; // connectStartedAt
    times[at + 8] = NOT_IDLE; // nginxIdleSince
  }

  // The row's numbers (above), each read and written like a field.
  /** Pending timer of this connection (next request, idle close, service end), if any. */
  get timer(): number {
    return this.times[this.at]!;
  }
  set timer(v: number) {
    this.times[this.at] = v;
  }
  /**
   * The HTTP client's own timer on its request in flight (clients.http.request_timeout), -1: none.
   * Armed by armRequestTimer, given up by writing −1 (a deadline cell: engine.ts scheduleFixed).
   */
  get requestTimer(): number {
    return this.times[this.at + 1]!;
  }
  set requestTimer(v: number) {
    this.times[this.at + 1] = v;
  }
  /**
   * nginx's upstream read timer on this connection's request at the app (proxy_read_timeout), -1:
   * none. Armed by armUpstreamReadTimer, given up by writing −1 (as requestTimer).
   */
  get upstreamReadTimer(): number {
    return this.times[this.at + 2]!;
  }
  set upstreamReadTimer(v: number) {
    this.times[this.at + 2] = v;
  }
  /**
   * Arm requestTimer: `fn(this)` on the engine's fixed-delay `lane` unless requestTimer is set to
   * −1 (or re-armed) first. The row's cell is the event's (engine.ts scheduleFixed): what an answer
   * costs is that store, no cancel (issue 14).
   */
  armRequestTimer(engine: Engine, lane: LaneId, fn: Callback<Conn>): void {
    engine.scheduleFixed(lane, fn, this, this.times, this.at + 1);
  }
  /** Arm upstreamReadTimer, as armRequestTimer. */
  armUpstreamReadTimer(engine: Engine, lane: LaneId, fn: Callback<Conn>): void {
    engine.scheduleFixed(lane, fn, this, this.times, this.at + 2);
  }
  /**
   * When the client started waiting to send a request it had to open a connection for
   * (NOT_WAITING: none). Not −1: during warm-up the clock is negative, and a wait that starts there
   * is still a wait.
   */
  get waitingSince(): number {
    return this.times[this.at + 3]!;
  }
  set waitingSince(v: number) {
    this.times[this.at + 3] = v;
  }
  get requestStartedAt(): number {
    return this.times[this.at + 4]!;
  }
  set requestStartedAt(v: number) {
    this.times[this.at + 4] = v;
  }
  get serviceEnd(): number {
    return this.times[this.at + 5]!;
  }
  set serviceEnd(v: number) {
    this.times[this.at + 5] = v;
  }
  /** When the HTTP client next wants to send. */
  get lastActivity(): number {
    return this.times[this.at + 6]!;
  }
  set lastActivity(v: number) {
    this.times[this.at + 6] = v;
  }
  /** When the current connect() began (for connect latency). */
  get connectStartedAt(): number {
    return this.times[this.at + 7]!;
  }
  set connectStartedAt(v: number) {
    this.times[this.at + 7] = v;
  }
  /**
   * When nginx last answered on this connection or accepted it ahead of its first request: its
   * place in the worker's reusable queue (ngx_reusable_connection); NOT_IDLE (0) when never, or
   * after ngx_drain_connections closed it.
   */
  get nginxIdleSince(): number {
    return this.times[this.at + 8]!;
  }
  set nginxIdleSince(v: number) {
    this.times[this.at + 8] = v;
  }

  // The row's small integers (TIME_ROW_WIDTH above), each read and written like a field.
  /**
   * Client address index and source port: the 4-tuple the VM sees. The address is the client's
   * machine for its whole life (world.ts assignTuple draws it at its first connect); NO_ADDRESS
   * (−1) until then.
   */
  get clientIp(): number {
    return this.ints[this.at * 2 + 18]!;
  }
  set clientIp(v: number) {
    this.ints[this.at * 2 + 18] = v;
  }
  get clientPort(): number {
    return this.ints[this.at * 2 + 19]!;
  }
  set clientPort(v: number) {
    this.ints[this.at * 2 + 19] = v;
  }
  /**
   * The client's machine while the client end has a socket (NO_MACHINE: none): its index in the
   * world's one ClientMachines (kernel-hosts.ts `kernels`), which holds every client socket, so
   * the record keeps the index and not a pointer to that table.
   */
  get clientPair(): number {
    return this.ints[this.at * 2 + 20]!;
  }
  set clientPair(v: number) {
    this.ints[this.at * 2 + 20] = v;
  }
  /** nginx's accepted end on `serverHost`: its pair and the remote port it saw. */
  get serverPair(): number {
    return this.ints[this.at * 2 + 21]!;
  }
  set serverPair(v: number) {
    this.ints[this.at * 2 + 21] = v;
  }
  get serverPort(): number {
    return this.ints[this.at * 2 + 22]!;
  }
  set serverPort(v: number) {
    this.ints[this.at * 2 + 22] = v;
  }
  /**
   * The balancer's own socket towards the backend when it proxies (lb-host.ts): its pair and port
   * in one small integer, `pair × 2^16 + port` (read as lbPair and lbPort, below; set by
   * holdLbPort, cleared by dropLbPort); NO_LB_END: none. One number where there were two.
   */
  private get lbEnd(): number {
    return this.ints[this.at * 2 + 23]!;
  }
  private set lbEnd(v: number) {
    this.ints[this.at * 2 + 23] = v;
  }
  /** Slot of the record in its VM's connections (conn-list.ts; −1: in none). */
  get vmSlot(): number {
    return this.ints[this.at * 2 + 24]!;
  }
  set vmSlot(v: number) {
    this.ints[this.at * 2 + 24] = v;
  }
  /** The nginx worker generation that accepted the connection (proxy/nginx.ts accept). */
  get nginxGen(): number {
    return this.ints[this.at * 2 + 25]!;
  }
  set nginxGen(v: number) {
    this.ints[this.at * 2 + 25] = v;
  }

  /**
   * A retired record (core/client-records.ts) made a new client's: every own field back to the
   * value the constructor gives it, the rare fields' record dropped, so the new client reads
   * exactly what a new record would hold (test/model/core/client-records.test.ts checks every field).
   * Its random sequence is seeded by the client's arrival, as a new record's is.
   */
  renew(id: number): void {
    this.id = id;
    this.seed(0);
    this.timesToDefaults();
    this.states = 0;
    this.backend = -1;
    this.phaseWatch = null;
    this.requestsLeft = 0;
    this.requestsServed = 0;
    this.up = null;
    this.onDone = notServed;
    this.inList = null;
    this.indexInList = -1;
    this.serverHost = null;
    this.nginxCountedBy = null;
    this.rare = null;
  }

  /** This record with its rare fields' record made (a throwaway instance's shape, above and WsConn). */
  protected withRare(): this {
    this.ownRare();
    return this;
  }

  /** The record's ConnRare, made on the first write of a value other than a default. */
  private ownRare(): ConnRare {
    const rare = this.rare;
    if (rare !== null) return rare;
    return (this.rare = new ConnRare());
  }

  // The rare fields (conn-rare.ts): the default until a record is written another value. A write
  // of the default to a record without its ConnRare changes nothing and makes none.
  /** HTTP status the app (or nginx) decided for this connection's request. */
  get status(): Status {
    const rare = this.rare;
    return rare === null ? 200 : rare.status;
  }
  set status(v: Status) {
    if (this.rare !== null || v !== 200) this.ownRare().status = v;
  }
  /** Attempt number of the current logical request (0 = first try). */
  get attempt(): number {
    const rare = this.rare;
    return rare === null ? 0 : rare.attempt;
  }
  set attempt(v: number) {
    if (this.rare !== null || v !== 0) this.ownRare().attempt = v;
  }
  /** The nginx worker that holds the connection, when TLS ends in nginx (proxy/worker-cpu.ts). */
  get nginxWorker(): number {
    const rare = this.rare;
    return rare === null ? 0 : rare.nginxWorker;
  }
  set nginxWorker(v: number) {
    if (this.rare !== null || v !== 0) this.ownRare().nginxWorker = v;
  }
  /** The balancer thread that holds the connection when TLS ends at the balancer (−1: none; proxy/worker-cpu.ts). */
  get lbThread(): number {
    const rare = this.rare;
    return rare === null ? -1 : rare.lbThread;
  }
  set lbThread(v: number) {
    if (this.rare !== null || v !== -1) this.ownRare().lbThread = v;
  }
  /** SYNs sent so far for the current upstream connect (accept-queue drops). */
  get synAttempt(): number {
    const rare = this.rare;
    return rare === null ? 0 : rare.synAttempt;
  }
  set synAttempt(v: number) {
    if (this.rare !== null || v !== 0) this.ownRare().synAttempt = v;
  }
  /** Behind an L7 balancer: its stream for the client's current request (lb/l7-http-front.ts), or null. */
  get stream(): Req | null {
    const rare = this.rare;
    return rare === null ? null : rare.stream;
  }
  set stream(v: Req | null) {
    if (this.rare !== null || v !== null) this.ownRare().stream = v;
  }
  /** When the balancer last forwarded a packet of this flow (an L4 NAT's idle timer, lb/nat-idle.ts). */
  get lbSeenAt(): number {
    const rare = this.rare;
    return rare === null ? 0 : rare.lbSeenAt;
  }
  set lbSeenAt(v: number) {
    if (this.rare !== null || v !== 0) this.ownRare().lbSeenAt = v;
  }
  /** The previous retry (HTTP) or reconnect (WebSocket) delay: decorrelated jitter grows from it. */
  get lastBackoff(): number {
    const rare = this.rare;
    return rare === null ? 0 : rare.lastBackoff;
  }
  set lastBackoff(v: number) {
    if (this.rare !== null || v !== 0) this.ownRare().lastBackoff = v;
  }

  // The times and timer ids are in the record's row (above), not in fields: no field of a Conn
  // changes representation during a run. The throwaway instance (kept for the process's life,
  // engine/double-fields.ts) holds a ConnRare in its `rare` field, so the first record to make one
  // changes no field's type.
  static {
    preferDoubleFields(new Conn(-1).withRare(), []);
  }

  // The packed states (`states`, above).
  /** TCP state of the client's socket (flow-tcp.ts drives it and serverTcp). */
  get clientTcp(): TcpState {
    return (this.states & 255) as TcpState;
  }
  set clientTcp(v: TcpState) {
    this.states = (this.states & -256) | v;
  }
  /** TCP state of nginx's accepted socket. */
  get serverTcp(): TcpState {
    return ((this.states >> 8) & 255) as TcpState;
  }
  set serverTcp(v: TcpState) {
    this.states = (this.states & -65281) | (v << 8);
  }
  /** The balancer's entry for this flow. */
  get lbFlow(): LbFlow {
    return ((this.states >> 20) & 15) as LbFlow;
  }
  set lbFlow(v: LbFlow) {
    this.states = (this.states & -15728641) | (v << 20);
  }

  /** Where the client's request is (app-job.ts ReqPhase; NONE: no request in flight). */
  get phase(): ReqPhase {
    return ((this.states >> 16) & 15) as ReqPhase;
  }

  /**
   * Every write of the phase, wherever it is made (nginx, the app, the lifecycle, the client),
   * passes here, so the nginx tally's count of requests in flight (nginx_memory) follows each
   * change as it happens instead of walking every connection at each sample.
   */
  set phase(next: ReqPhase) {
    const states = this.states;
    const was = (states >> 16) & 15;
    this.states = (states & -983041) | (next << 16);
    const watch = this.phaseWatch;
    if (watch !== null && (was === ReqPhase.NONE) !== (next === ReqPhase.NONE))
      watch.inFlightChanged(this, next !== ReqPhase.NONE);
  }

  /** The balancer's own port towards the backend when it proxies (lb-host.ts); −1: none. */
  get lbPort(): number {
    const end = this.lbEnd;
    return end === NO_LB_END ? -1 : end & LB_PORT_MASK;
  }

  /** The balancer host's connecting pair of that port (lb-host.ts backendPair); read only while lbPort ≥ 0. */
  get lbPair(): number {
    return this.lbEnd >> LB_PORT_BITS;
  }

  /** The flow holds the balancer's port `port` on its pair `pair` towards the backend. */
  holdLbPort(pair: number, port: number): void {
    if (pair < 0 || pair > LB_PAIR_MAX || port < 0 || port > LB_PORT_MASK)
      throw new Error(`Conn.holdLbPort: pair ${pair} or port ${port} out of range`);
    this.lbEnd = pair * (LB_PORT_MASK + 1) + port;
  }

  /** The flow no longer holds a balancer port (released, or handed to a held stream). */
  dropLbPort(): void {
    this.lbEnd = NO_LB_END;
  }

  get upstream(): UpstreamConn | null {
    return this.up;
  }

  /**
   * Every write of the upstream connection passes here, as the phase's does, so the count of
   * each nginx worker's connections (proxy/worker-conn-count.ts) follows it without walking the VM.
   */
  set upstream(next: UpstreamConn | null) {
    const watch = this.phaseWatch;
    if (watch !== null && (next === null) !== (this.up === null)) watch.upstreamChanged(this, next !== null);
    this.up = next;
  }

  /**
   * The client's own random sequence, seeded when the client arrives. Its think times, request
   * counts and source address come from here, so a policy that changes which requests fail or
   * when clients reconnect does not change what each client does (common random numbers per
   * client, not just per stream).
   */
  get rng(): Mulberry32 {
    return this;
  }
}

// Values every record shares (see the `declare`d fields above): data properties of the prototype.
// A record that is written one of them gets its own property, so reads stay exact either way.
Object.assign(Conn.prototype, {
  kind: ConnKind.HTTP,
  deep: true,
  fixedService: -1,
  depTimeout: Infinity,
  depTimeoutStatus: 503,
  sessionEndsAt: Infinity,
  retryAfter: NO_RETRY_AFTER,
  sessionStartedAt: NO_SESSION,
  serverCloses: 0,
  ageAtConnect: 0,
  tunnelSince: 0,
  kindSlot: -1,
});

/** A WebSocket client's record: a Conn with its session's fields in the record itself. */
export class WsConn extends Conn {
  override sessionEndsAt = Infinity;
  override retryAfter = NO_RETRY_AFTER;
  override sessionStartedAt = NO_SESSION;
  override serverCloses = 0;
  override ageAtConnect = 0;
  override tunnelSince = 0;
  override kindSlot = -1;

  constructor(id: number) {
    super(id);
  }

  static {
    // The session's own times: fields of the record (every client record's others are in its row).
    preferDoubleFields(new WsConn(-1).withRare(), ['sessionStartedAt', 'ageAtConnect', 'tunnelSince']);
  }
}

Object.defineProperty(WsConn.prototype, 'kind', { value: ConnKind.WS, writable: false });

/** A new client record of this kind (world.ts newConn). */
export function newClientRecord(id: number, kind: ConnKind): Conn {
  return kind === ConnKind.WS ? new WsConn(id) : new Conn(id);
}
