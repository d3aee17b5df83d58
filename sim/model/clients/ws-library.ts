import type { Scenario } from '../../scenario/schema.js';

/** The WebSocket client implementations `clients.ws.library` names. */
export type WsLibrary = NonNullable<Scenario['clients']['ws']['library']>;

/**
 * Unset: socket.io-client in a browser — the 20-s handshake timeout and the server-first close the
 * model had before the setting existed (then the handshake's timeout was pong_timeout, 20 s).
 */
const DEFAULT_LIBRARY: WsLibrary = 'socket.io-browser';

/** What a client library decides by itself, whatever the scenario's other settings. */
interface WsLibraryTraits {
  /**
   * Seconds the client waits for the opening handshake (its TCP connect's completion to the 101)
   * before it gives up; Infinity: it never does (only its user leaving ends the wait).
   */
  handshakeTimeout: number;
  /**
   * After the server's Close frame the client answers with its own and closes TCP at once, before
   * the server does (true); or it waits for the server to close TCP (RFC 6455 §7.1.1), false.
   */
  finFirstAfterServerClose: boolean;
}

/**
 * Each library's own behaviour, from its source:
 * - `browser` (Chromium, net/websockets/): the opening handshake gives up after
 *   kHandshakeTimeoutIntervalInSeconds = 240 (websocket_stream.cc WebSocketStreamRequestImpl::Start,
 *   "the same value as the TCP connection timeout"); after the server's Close it answers and waits
 *   for the server to close the connection "as recommended in RFC 6455 §7.1.1", closing it itself
 *   only after kUnderlyingConnectionCloseTimeoutSeconds = 2 (websocket_channel.cc) — a server that
 *   closes at once on reading the answer (`ws`, below) is always first.
 * - `ws` (Node, websockets/ws 8.21 lib/websocket.js): no handshake timeout unless the program sets
 *   `handshakeTimeout` (initAsClient: `opts.timeout = opts.handshakeTimeout`, undefined by default);
 *   receiverOnConclude() answers a Close with close(), whose send callback calls socket.end() since
 *   a Close was both sent and received: whoever receives the first Close sends the first FIN.
 * - `socket.io-browser` / `socket.io-node`: socket.io-client 4.8 over the websocket transport
 *   (`transports: ['websocket']`), the browser's WebSocket or, in Node, `ws`
 *   (engine.io-client lib/transports/websocket.node.ts, which passes no handshakeTimeout); the
 *   Manager gives up a connect attempt after `timeout`, 20000 ms by default (manager.ts open():
 *   `onError(new Error("timeout"))`, then `socket.close()`), below Chromium's 240 s.
 */
const TRAITS: Record<WsLibrary, WsLibraryTraits> = {
  browser: { handshakeTimeout: 240, finFirstAfterServerClose: false },
  ws: { handshakeTimeout: Infinity, finFirstAfterServerClose: true },
  'socket.io-browser': { handshakeTimeout: 20, finFirstAfterServerClose: false },
  'socket.io-node': { handshakeTimeout: 20, finFirstAfterServerClose: true },
};

/** The opening-handshake timeout in force: `clients.ws.handshake_timeout` when set (0: none), else the library's. */
export function wsHandshakeTimeout(ws: Scenario['clients']['ws']): number {
  const set = ws.handshake_timeout;
  if (set === undefined) return TRAITS[ws.library ?? DEFAULT_LIBRARY].handshakeTimeout;
  return set > 0 ? set : Infinity;
}

/** The clients close TCP first after a server's Close frame (WsLibraryTraits.finFirstAfterServerClose). */
export function wsClientFinFirst(ws: Scenario['clients']['ws']): boolean {
  return TRAITS[ws.library ?? DEFAULT_LIBRARY].finFirstAfterServerClose;
}
