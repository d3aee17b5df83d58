import { TcpInput, TcpState, transition } from '../../net/tcp.js';
import type { Flow } from './flow.js';

/**
 * How a client flow ends, as its two ends experience it. The TCP states each end passes through
 * follow from net/tcp.ts (RFC 9293 §3.3.2); where TIME_WAIT lands is read off the final states.
 */
export const EndKind = {
  /** The client closes first (FIN): its end ends in TIME_WAIT, on the client host. */
  CLIENT_FIN: 0,
  /** nginx closes first (FIN): the VM's end ends in TIME_WAIT. */
  SERVER_FIN: 1,
  /** A reset (the LB's forgotten flow, an abort): both ends CLOSED, no TIME_WAIT. */
  RESET: 2,
  /** The peer vanished: no segment arrives, the client gives up by timeout. */
  SILENT: 3,
  /**
   * An L4 proxy between them closes both of its connections itself (HAProxy's timeout server or
   * tunnel, `shutdown sessions`, hard-stop-after): the client and nginx each read a FIN first and
   * close passively. The proxy's client-facing socket holds a TIME_WAIT; its server-facing one is
   * closed before nginx's FIN came back, so it resets (FD_LINGER_RISK): nginx reads FIN then RST.
   */
  PROXY_FIN: 4,
  /**
   * An L4 proxy's timeout client ends an idle connection: it shuts its server side for writing
   * only (a FIN to nginx), reads nginx's answering FIN and only then closes the client side. The
   * client and nginx close passively as with PROXY_FIN, but there is no RST: the proxy closed first
   * on both sides and holds both TIME_WAITs.
   */
  PROXY_HALF_CLOSE: 5,
  /**
   * nginx closes first with nothing unread (FIN), and the client's data, written before that FIN
   * reached it, arrives at nginx's orphaned socket: Linux drops the socket and answers RST
   * (net/ipv4/tcp_input.c tcp_rcv_state_process(), step 7: FIN_WAIT1/FIN_WAIT2 with RCV_SHUTDOWN
   * and new data → tcp_reset(), LINUX_MIB_TCPABORTONDATA; tcp_v4_do_rcv() sends the RST). The
   * client reads EOF first, then the RST; both ends CLOSED, no TIME_WAIT anywhere. Not a reset
   * nginx sent (reset_out counts those) and not an orderly close (closed_fin).
   */
  SERVER_FIN_THEN_RST: 6,
} as const;
export type EndKind = (typeof EndKind)[keyof typeof EndKind];

/** The TCP state of both ends of one flow (the client's socket and nginx's accepted socket). */
export type FlowEnds = Pick<Flow, 'clientTcp' | 'serverTcp'>;

/** Observes each state an end enters (tests and traces); `end` is 'client' or 'server'. */
export type TcpObserver = (end: 'client' | 'server', state: TcpState) => void;

const S = TcpState;
const I = TcpInput;

/**
 * The three-way handshake through the L4 balancer, which the model completes when the VM's
 * kernel accepts the flow: SYN_SENT / SYN_RECEIVED, then both ESTABLISHED.
 */
export function openFlow(f: FlowEnds, observe?: TcpObserver): void {
  f.clientTcp = transition(S.CLOSED, I.CONNECT).next;
  observe?.('client', f.clientTcp);
  f.serverTcp = transition(S.LISTEN, I.RCV_SYN).next;
  observe?.('server', f.serverTcp);
  f.clientTcp = transition(f.clientTcp, I.RCV_SYN_ACK).next;
  observe?.('client', f.clientTcp);
  f.serverTcp = transition(f.serverTcp, I.RCV_ACK).next;
  observe?.('server', f.serverTcp);
}

/** The server's socket is gone without a FIN: reset by the balancer, or its host vanished. */
export function serverEndGone(f: FlowEnds, reset: boolean, observe?: TcpObserver): void {
  if (f.serverTcp === S.CLOSED) return;
  f.serverTcp = reset ? transition(f.serverTcp, I.RCV_RST).next : S.CLOSED;
  observe?.('server', f.serverTcp);
}

/** End a flow the way `how` says; afterwards `f.serverTcp === TIME_WAIT` iff the VM holds one. */
export function closeFlow(f: FlowEnds, how: EndKind, observe?: TcpObserver): void {
  switch (how) {
    case EndKind.CLIENT_FIN:
      return orderly(f, 'client', observe);
    case EndKind.SERVER_FIN:
      return orderly(f, 'server', observe);
    case EndKind.RESET:
      // The side that aborts sends RST; the other end takes it. Either way both end CLOSED.
      setEnd(f, 'client', abort(f.clientTcp), observe);
      if (f.serverTcp !== S.CLOSED) setEnd(f, 'server', transition(f.serverTcp, I.RCV_RST).next, observe);
      return;
    case EndKind.PROXY_FIN:
    case EndKind.PROXY_HALF_CLOSE:
      passive(f, 'client', observe);
      passive(f, 'server', observe);
      return;
    case EndKind.SERVER_FIN_THEN_RST: {
      // nginx's FIN (FIN_WAIT_1), the client's kernel acks it (CLOSE_WAIT); the client's data then
      // meets nginx's orphaned socket, which tcp_done() ends (CLOSED) with an RST the client takes.
      if (f.serverTcp === S.CLOSED) return closeFlow(f, EndKind.RESET, observe);
      setEnd(f, 'server', transition(f.serverTcp, I.CLOSE).next, observe);
      if (f.clientTcp !== S.CLOSED) setEnd(f, 'client', transition(f.clientTcp, I.RCV_FIN).next, observe);
      setEnd(f, 'server', S.CLOSED, observe);
      setEnd(f, 'client', abort(f.clientTcp), observe);
      return;
    }
    case EndKind.SILENT:
      // Nothing arrives: the client's retransmissions time out; the server end is gone or forgotten.
      setEnd(f, 'client', f.clientTcp === S.CLOSED ? S.CLOSED : transition(f.clientTcp, I.TIMEOUT).next, observe);
      if (f.serverTcp !== S.CLOSED) setEnd(f, 'server', S.CLOSED, observe);
      return;
  }
}

function abort(state: TcpState): TcpState {
  return state === S.CLOSED ? S.CLOSED : transition(state, I.RCV_RST).next;
}

/**
 * An orderly close started by `closer`, the peer's application closing at once when it reads EOF
 * (nginx and HTTP clients do): FIN_WAIT_1/CLOSE_WAIT, FIN_WAIT_2/LAST_ACK, then TIME_WAIT/CLOSED.
 * A peer whose socket is already gone answers the FIN with RST: no TIME_WAIT anywhere.
 */
function orderly(f: FlowEnds, closer: 'client' | 'server', observe?: TcpObserver): void {
  const peer = closer === 'client' ? 'server' : 'client';
  let c = get(f, closer);
  if (c === S.CLOSED) return;
  c = transition(c, I.CLOSE).next; // FIN_WAIT_1, FIN sent
  setEnd(f, closer, c, observe);
  let p = get(f, peer);
  if (p === S.CLOSED) {
    setEnd(f, closer, transition(c, I.RCV_RST).next, observe);
    return;
  }
  p = transition(p, I.RCV_FIN).next; // CLOSE_WAIT, ACK sent
  setEnd(f, peer, p, observe);
  setEnd(f, closer, (c = transition(c, I.RCV_FIN_ACK).next), observe); // FIN_WAIT_2
  setEnd(f, peer, (p = transition(p, I.CLOSE).next), observe); // LAST_ACK, FIN sent
  setEnd(f, closer, transition(c, I.RCV_FIN).next, observe); // TIME_WAIT, ACK sent
  setEnd(f, peer, transition(p, I.RCV_FIN_ACK).next, observe); // CLOSED
}

/** `end` reads a FIN and its application closes at once: CLOSE_WAIT, LAST_ACK, CLOSED. */
function passive(f: FlowEnds, end: 'client' | 'server', observe?: TcpObserver): void {
  let s = get(f, end);
  if (s === S.CLOSED) return;
  setEnd(f, end, (s = transition(s, I.RCV_FIN).next), observe);
  setEnd(f, end, (s = transition(s, I.CLOSE).next), observe);
  setEnd(f, end, transition(s, I.RCV_FIN_ACK).next, observe);
}

function get(f: FlowEnds, end: 'client' | 'server'): TcpState {
  return end === 'client' ? f.clientTcp : f.serverTcp;
}

function setEnd(f: FlowEnds, end: 'client' | 'server', state: TcpState, observe?: TcpObserver): void {
  if (end === 'client') f.clientTcp = state;
  else f.serverTcp = state;
  observe?.(end, state);
}
