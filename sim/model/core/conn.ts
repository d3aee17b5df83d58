import { Mulberry32 } from '../../engine/mulberry32.js';
import { TcpState } from '../../net/tcp.js';
import type { FlowEnds } from './flow-tcp.js';
import { ReqPhase, type AppJob, type Status } from './app-job.js';

/** An upstream connection nginx → app (one per request without keepalive, pooled with it). */
export interface UpstreamConn {
  /** nginx's local ephemeral port towards the app. */
  port: number;
  requests: number;
  idleSince: number;
}

/** `Conn.retryAfter` when no drain notice is pending. */
export const NO_RETRY_AFTER = -1;
/** Every request on a connection gets its `onDone` from the request path; this is the placeholder. */
const notServed = (): void => {};

export const ConnKind = { HTTP: 0, WS: 1 } as const;
export type ConnKind = (typeof ConnKind)[keyof typeof ConnKind];

/**
 * One client connection through the L4 balancer to a backend's nginx, with the TCP state of
 * both ends and the LB flow between them. For an HTTP keepalive connection it also carries the
 * request in flight (HTTP/1.1 has at most one); for a WebSocket, the session and its upstream
 * tunnel. Fields are plain and preallocated so per-request events allocate nothing.
 */
export class Conn implements AppJob, FlowEnds {
  /**
   * The client's own random sequence, seeded when the client arrives. Its think times, request
   * counts and source address come from here, so a policy that changes which requests fail or
   * when clients reconnect does not change what each client does (common random numbers per
   * client, not just per stream).
   */
  readonly rng = new Mulberry32();
  /** LB flow: 0 none, 1 tracked, 2 forgotten by a hard removal (answered with RST). */
  flow = 0;
  backend = -1;
  /** Client address index and source port: the 4-tuple the VM sees. */
  tupleKey = 0;
  /** TCP state of the client's socket and of nginx's accepted socket (flow-tcp.ts drives both). */
  clientTcp: TcpState = TcpState.CLOSED;
  serverTcp: TcpState = TcpState.CLOSED;

  // HTTP keepalive state
  requestsLeft = 0;
  requestsServed = 0;
  phase: ReqPhase = ReqPhase.NONE;
  requestStartedAt = 0;
  /** Attempt number of the current logical request (0 = first try). */
  attempt = 0;
  /** SYNs sent so far for the current upstream connect (accept-queue drops). */
  synAttempt = 0;
  /** The previous retry (HTTP) or reconnect (WebSocket) delay: decorrelated jitter grows from it. */
  lastBackoff = 0;
  upstream: UpstreamConn | null = null;
  /** Pending timer of this connection (next request, idle close, service end), if any. */
  timer = -1;
  serviceEnd = 0;
  status: Status = 200;
  readonly deep = true;
  readonly fixedService = -1;
  readonly depTimeout = Infinity;
  readonly depTimeoutStatus: Status = 503;
  onDone: (job: AppJob) => void = notServed;
  /** When the HTTP client next wants to send. */
  lastActivity = 0;
  /** When the client started waiting to send a request it had to open a connection for (-1: none). */
  waitingSince = -1;
  /** When the current connect() began (for connect latency). */
  connectStartedAt = 0;

  // WebSocket state
  sessionEndsAt = Infinity;
  /** retryAfter of a drain notice received in this session (NO_RETRY_AFTER: none). */
  retryAfter = NO_RETRY_AFTER;
  /** When the current WebSocket session was established (-1: none). */
  sessionStartedAt = -1;

  constructor(
    readonly id: number,
    readonly kind: ConnKind,
  ) {}
}
