import type { Scenario } from '../../scenario/schema.js';

/** The HTTP client implementations `clients.http.library` names. */
export type HttpLibrary = NonNullable<Scenario['clients']['http']['library']>;

/**
 * Unset: Node's http client — the calibration clients' (calibration/haproxy/worker.mjs,
 * calibration/nginx/client.mjs), against which the model's keep-alive figures were recorded, and
 * the behaviour the model had before the setting existed.
 */
const DEFAULT_LIBRARY: HttpLibrary = 'node';

/**
 * Whether the client library itself sends a request again, at once and on a new connection, when
 * the connection it reused fails under it before any byte of the response — the keep-alive race
 * (a request written as the server closed the idle connection: RST or EOF), a server or balancer
 * closing the connection under the request with no answer. The program calling the library never
 * sees that failure; a failure on a connection opened for the request is not resent. Per library,
 * from its source:
 * - `node` (lib/_http_client.js, lib/_http_agent.js; undici, Node's fetch): never. The request
 *   fails with ECONNRESET ("socket hang up"); the Agent only marks `req.reusedSocket` so that the
 *   program may retry (nodejs/node PR #29715); undici's "other side closed" likewise
 *   (nodejs/undici issue #3492, open). Python requests (urllib3 Retry(0, read=False) by default)
 *   raises ConnectionError alike.
 * - `go` (net/http transport.go Transport.roundTrip → persistConn.shouldRetryRequest): when the
 *   connection was reused (pc.isReused()) and the request is replayable
 *   (Request.isReplayable: GET, HEAD, OPTIONS, TRACE, or an Idempotency-Key header) and the error is
 *   a read of the first response byte (transportReadFromServerError) or the server's EOF on an
 *   idle connection (errServerClosedIdle). A POST is resent only when nothing of it was written
 *   (nothingWrittenError), never the case here: `clients.http.method` POST is not resent.
 * - `browser` (Chromium net/http/http_network_transaction.cc HandleIOError →
 *   ShouldResendRequest: ERR_CONNECTION_RESET, _CLOSED, _ABORTED, ERR_SOCKET_NOT_CONNECTED,
 *   ERR_EMPTY_RESPONSE, when the stream's connection IsConnectionReused() and no response headers
 *   came, any method, kMaxRetryAttempts 2). HttpBasicState::IsConnectionReused counts a socket that
 *   waited unused in the pool (kUnusedIdle: a preconnect) as reused too, as the model does for a
 *   connection opened ahead of its request (`clients.http.reconnect: eager`). Firefox alike.
 * - `curl` (lib/transfer.c Curl_retry_request: a reused connection, `bytecount + headerbytecount
 *   == 0`, any method — an upload rewound; at most CONN_MAX_RETRIES 5).
 * In the model the resend goes on a new connection (each client has one), which is not reused, so
 * at most one resend follows a failure; the resend's own failures are the program's (counted,
 * retried per `retries`).
 */
export function resendsOnReusedConnection(http: Scenario['clients']['http']): boolean {
  switch (http.library ?? DEFAULT_LIBRARY) {
    case 'node':
      return false;
    case 'go':
      return http.method === 'GET';
    case 'browser':
    case 'curl':
      return true;
  }
}

/**
 * Whether the library closes a connection idle past `clients.http.idle_timeout` only when the next
 * request looks for a connection, rather than on a timer when the timeout passes. curl: a
 * transfer looking for a connection prunes the pool (lib/url.c → Curl_cpool_prune_dead, at most
 * once a second) and lib/conncache.c cpool_conn_maxage() rejects one idle longer than
 * conn_max_idle_ms (CURLOPT_MAXAGE_CONN, 118 s by default: the schema's httpLibraryIdleTimeout),
 * which it closes then — one client doing one transfer at a time closes it as its next request
 * opens a new one. Node's Agent (socket.setTimeout → onTimeout destroys the free socket), Go's
 * Transport (pconn.idleTimer → closeConnIfStillIdle) and Chromium's pool (its idle socket
 * cleanup) close on a timer.
 */
export function closesIdleAtNextUse(http: Scenario['clients']['http']): boolean {
  return (http.library ?? DEFAULT_LIBRARY) === 'curl';
}

/**
 * Whether the library also resends, on a connection it reused, a request whose socket failed
 * with the kernel's ETIMEDOUT while it waited for the answer's first byte (the client machine's
 * kernel gave up retransmitting the request to a host that vanished: clients/http-keepalive.ts
 * kernelGaveUp), as it resends after the keep-alive race (resendsOnReusedConnection). Per
 * library, from its source:
 * - `go`: yes for a replayable request. The read loop's `pc.br.Peek(1)` fails with the socket's
 *   error and wraps it in transportReadFromServerError ("a non-EOF net.Conn.Read failure reading
 *   the 1st response byte", transport.go persistConn.readLoop); mapRoundTripError leaves it
 *   undecorated (a nothingWrittenError only if nothing was written), and shouldRetryRequest
 *   returns true for it on a reused connection (pc.isReused()) and a replayable request
 *   (Request.isReplayable: GET here). A POST is not resent.
 * - `curl`: yes. The recv error is CURLE_RECV_ERROR ("Recv failure: Connection timed out"), and
 *   lib/multi.c (the PERFORMING state: `data->req.done || result == CURLE_RECV_ERROR`) calls
 *   lib/transfer.c Curl_retry_request: a reused connection with nothing received is retried on a
 *   fresh one, any method.
 * - `browser`: no. Chromium's HttpNetworkTransaction::HandleIOError resends only on
 *   ERR_CONNECTION_RESET, _CLOSED, _ABORTED, ERR_SOCKET_NOT_CONNECTED and ERR_EMPTY_RESPONSE;
 *   ERR_TIMED_OUT is the page's error.
 * - `node`: no (it resends nothing).
 */
export function resendsTimedOutOnReusedConnection(http: Scenario['clients']['http']): boolean {
  switch (http.library ?? DEFAULT_LIBRARY) {
    case 'go':
      return http.method === 'GET';
    case 'curl':
      return true;
    case 'node':
    case 'browser':
      return false;
  }
}
