import { defaultResumedHandshakeCpu, type TlsConfig } from '../../scenario/schema.js';

/**
 * What one TLS handshake asks of the server and the client's round trips, by the negotiated
 * version (`app.tls.protocol`) and whether the client's ticket resumed a session, read by every
 * place where TLS ends: nginx's workers and the balancer's threads (proxy/worker-cpu.ts), a bare
 * event loop (app/loop-tls.ts), a worker-per-connection app (app/tls.ts workerHandshakeHold).
 *
 * roundTripsToRequest: the round trips from the end of the server's first flight to the client's
 * first request.
 *
 * - TLS 1.3 (RFC 8446 §2), full or resumed (`ssl_early_data` off): the server answers the
 *   ClientHello with its whole flight, and the client's Finished and first request come one round
 *   trip after it.
 * - TLS 1.2 full (RFC 5246 §7.3, ECDHE): the flight (ServerHello, Certificate, the signed
 *   ServerKeyExchange, ServerHelloDone) is answered a round trip later by ClientKeyExchange,
 *   ChangeCipherSpec and Finished; the server derives the shared secret and writes
 *   NewSessionTicket, ChangeCipherSpec and Finished (OpenSSL ssl/statem/statem_srvr.c
 *   tls_process_cke_ecdhe → ssl_derive; ossl_statem_server_write_transition TLS_ST_SR_FINISHED →
 *   TLS_ST_SW_SESSION_TICKET → TLS_ST_SW_CHANGE → TLS_ST_SW_FINISHED); the client's first request
 *   comes a second round trip after. Its derive (one P-256 operation, ~0.05 ms of the 0.35 ms
 *   `handshake_cpu`) is charged with the first flight: the same CPU, a round trip early.
 * - TLS 1.2 resumed with a ticket (RFC 5077 §3.1, abbreviated): ServerHello, NewSessionTicket,
 *   ChangeCipherSpec and Finished at the ClientHello (TLS_ST_SW_SRVR_HELLO →
 *   TLS_ST_SW_SESSION_TICKET when s->hit); the client's Finished and request one round trip later.
 *
 * Not modelled: TLS False Start (RFC 7918). Browsers (Chrome, Firefox) send their first request
 * with their Finished under ECDHE with an AEAD cipher (and ALPN), one round trip after a full TLS
 * 1.2 flight as with 1.3; OpenSSL, node, curl and Go clients do not. The 2 here are theirs.
 */
export function roundTripsToRequest(tls: TlsConfig, resumed: boolean): number {
  return tls.protocol === '1.2' && !resumed ? 2 : 1;
}

/**
 * Whether the handshake gives the client a new ticket, which the server writes a round trip after
 * its first flight: in TLS 1.3 after the client's Finished (ossl_statem_server13_write_transition:
 * TLS_ST_SR_FINISHED → TLS_ST_SW_SESSION_TICKET), in a full TLS 1.2 handshake after its
 * ClientKeyExchange and Finished. A TLS 1.2 handshake resumed with a ticket the server decrypted
 * with its current key sends none (ssl/t1_lib.c tls_decrypt_ticket sets ext.ticket_expected only
 * for SSL_TICKET_NO_DECRYPT, _SUCCESS_RENEW and _EMPTY; renewal needs a key callback returning 2,
 * which nginx installs only with ssl_session_ticket_key): the client keeps the ticket it has,
 * reusable (RFC 5077 §3.3), until its session's ssl_session_timeout from the handshake that made it.
 */
export function issuesTicket(tls: TlsConfig, resumed: boolean): boolean {
  return tls.protocol !== '1.2' || !resumed;
}

/** The server's CPU for one handshake: `handshake_cpu`, or when resumed `resumed_handshake_cpu` (its default by protocol: schema.ts). */
export function handshakeCpu(tls: TlsConfig, resumed: boolean): number {
  return resumed ? tls.resumed_handshake_cpu : tls.handshake_cpu;
}

/**
 * The TLS of nginx's upstream connections to an app that ends TLS: the version is
 * `nginx.proxy_ssl_protocol` (nginx 1.22.1's default proxy_ssl_protocols stops at TLSv1.2), not
 * the clients' `protocol`. `resumed_handshake_cpu` is the cost of `protocol` (set or by default:
 * the parsed config no longer tells which, and `drainsim show` prints it as set): it holds when
 * the two versions agree, else a resumed handshake costs the leg's version's default.
 */
export function upstreamTls(tls: TlsConfig, protocol: TlsConfig['protocol']): TlsConfig {
  if (protocol === tls.protocol) return tls;
  return { ...tls, protocol, resumed_handshake_cpu: defaultResumedHandshakeCpu(protocol) };
}
