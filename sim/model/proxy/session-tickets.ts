import type { TlsConfig } from '../../scenario/schema.js';
import type { Conn } from '../core/conn.js';

/**
 * Whose ticket keys encrypted a session ticket: one nginx generation's (`issuer` the VM, `gen` its
 * generation), every VM holding the shared key file (SHARED), or the balancer's (BALANCER, `gen`
 * its process, LoadBalancer.process, or -1 for its tls-ticket-keys file).
 */
export const KeyDomain = { SHARED: -1, BALANCER: -2 } as const;

/** The newest ticket a client holds: who can decrypt it and until when (mutated in place). */
interface Ticket {
  issuer: number;
  gen: number;
  /** When the client has it: the end of the handshake whose NewSessionTicket carried it. */
  at: number;
  /** `at` + the issuing server's ssl_session_timeout. */
  expires: number;
}

/**
 * The session tickets the clients hold, one per client (its newest), and whether a client's next
 * handshake resumes. Real stacks, server and client:
 *
 * - nginx issues tickets by default (`ssl_session_tickets on`: ngx_http_ssl_merge_srv_conf,
 *   src/http/modules/ngx_http_ssl_module.c, sets SSL_OP_NO_TICKET only when off) and, without
 *   `ssl_session_ticket_key` and without a shared `ssl_session_cache` (default `none`),
 *   ngx_ssl_session_ticket_keys (src/event/ngx_event_openssl.c) installs no keys of its own: the
 *   tickets are sealed with the keys OpenSSL made at random in SSL_CTX_new (ssl/ssl_lib.c:
 *   RAND_bytes_ex of ext.tick_key_name and RAND_priv_bytes_ex of the HMAC and AES keys). One
 *   SSL_CTX per configuration cycle, made in the master before the workers fork: the workers of one
 *   generation share it, a reload's new generation (a new cycle) and a restarted nginx, let alone
 *   another VM, cannot decrypt it, and the handshake falls back to a full one. A key file
 *   (`ssl_session_ticket_key`, the same on every VM) makes every VM holding it one domain, across
 *   reloads.
 * - With `ssl_session_tickets off` and a shared `ssl_session_cache` (ingress-nginx's settings) the
 *   session lives in the nginx master's shared zone instead, found by its session ID (TLS 1.2) or
 *   stateful TLS 1.3 ticket: the domain is the VM and its master (worker-cpu.ts admit:
 *   -1 - Nginx.master), across reloads. Held here as a "ticket" too: the client offers the newest
 *   session it holds (a TLS 1.3 resumption brings a new one). Whether nginx would resume an older
 *   one again does not arise here; the real nginx 1.22.1 did, 20 times for one session
 *   (calibration/data/nginx-tls-resume-shared-cache.json).
 * - A ticket is good for `ssl_session_timeout` (default 5m, SSL_CTX_set_timeout in
 *   ngx_ssl_session_cache): OpenSSL stamps the session when it issues the ticket
 *   (tls_construct_new_session_ticket, ssl/statem/statem_srvr.c: a resumed handshake gets a fresh
 *   ticket and a fresh time) and refuses an older one (ssl_get_prev_session, ssl/ssl_sess.c:
 *   sess_timedout); the client keeps it no longer than the ticket_lifetime it was told (RFC 8446
 *   §4.6.1: the server's timeout).
 * - A client offers its newest ticket (RFC 8446 §2.2, §4.2.11 pre_shared_key, with
 *   psk_dhe_ke: a new ECDHE share, no certificate, no CertificateVerify signature), when
 *   `clients_resume` (browsers and the mobile OS stacks keep tickets per host).
 */
export class SessionTickets {
  /** Weak: a client that has left takes its ticket with it. */
  private readonly held = new WeakMap<Conn, Ticket>();

  /** Whether `conn`'s handshake now with a server of (issuer, gen) resumes the session it holds. */
  resumes(conn: Conn, tls: TlsConfig, issuer: number, gen: number, now: number, byCache = false): boolean {
    if (!(tls.session_tickets || byCache) || !tls.clients_resume) return false;
    const t = this.held.get(conn);
    if (t === undefined || t.at > now || now > t.expires) return false;
    return t.issuer === issuer && t.gen === gen;
  }

  /** The handshake ending at `at` gave `conn` a ticket from (issuer, gen), if the server issues them. */
  issue(conn: Conn, tls: TlsConfig, issuer: number, gen: number, at: number, byCache = false): void {
    if (!(tls.session_tickets || byCache) || !tls.clients_resume) return;
    const t = this.held.get(conn);
    if (t === undefined) {
      this.held.set(conn, { issuer, gen, at, expires: at + tls.session_timeout });
      return;
    }
    t.issuer = issuer;
    t.gen = gen;
    t.at = at;
    t.expires = at + tls.session_timeout;
  }

  /**
   * `conn` ended before its handshake did (at `now`): the NewSessionTicket never reached the
   * client, which keeps nothing from it (the ticket it offered, if any, was spent: a TLS 1.3
   * client uses a ticket once, RFC 8446 Appendix C.4).
   */
  lost(conn: Conn, now: number): void {
    const t = this.held.get(conn);
    if (t !== undefined && t.at > now) this.held.delete(conn);
  }
}
