import type { NginxConfig } from '../../scenario/schema.js';

/**
 * nginx's master process as the model sees it (src/os/unix/ngx_process_cycle.c): it listens on
 * :443, or quits gracefully after SIGQUIT (listeners closed, idle keep-alive connections closed,
 * busy ones closed after their request; ngx_close_idle_connections), or has stopped.
 */
export const NginxState = {
  /** Workers accept connections on :443. */
  LISTENING: 0,
  /** SIGQUIT received: no listener, no keep-alive, open connections finish (worker_shutdown_timeout). */
  QUITTING: 1,
  /** No nginx process: the kernel answers a SYN to :443 with RST (or nothing, if the host is gone). */
  STOPPED: 2,
} as const;
export type NginxState = (typeof NginxState)[keyof typeof NginxState];

/**
 * One nginx: its state and its configuration (`nginx -s reload` swaps the configuration in
 * place), and the decisions nginx itself takes about a connection: whether it keeps a client
 * connection alive after a response, how long it waits for the next request, whether it caches an
 * upstream connection, and when it times out an idle WebSocket tunnel. The request path that uses
 * these decisions is upstream.ts; what happens to open connections when nginx quits is the VM's
 * lifecycle (vm/lifecycle.ts).
 */
export class Nginx {
  private current: NginxState = NginxState.LISTENING;
  /**
   * Set by quit() and kept until the next start(): nginx stopped after a graceful quit still
   * counts as quitting for the keep-alive decisions (it answers nothing any more either way).
   */
  private quitStarted = false;

  constructor(public config: NginxConfig) {}

  get state(): NginxState {
    return this.current;
  }

  /** A SYN to :443 is accepted (otherwise the kernel resets it, if the host is up). */
  get listening(): boolean {
    return this.current === NginxState.LISTENING;
  }

  /** An nginx process exists and holds its client connections (LISTENING or QUITTING). */
  get running(): boolean {
    return this.current !== NginxState.STOPPED;
  }

  /** A graceful quit began (SIGQUIT) since nginx last started. */
  get quitting(): boolean {
    return this.quitStarted;
  }

  /** A new nginx process on a (re)started VM. */
  start(): void {
    this.current = NginxState.LISTENING;
    this.quitStarted = false;
  }

  /** SIGQUIT: graceful shutdown begins. */
  quit(): void {
    this.quitStarted = true;
    if (this.current === NginxState.LISTENING) this.current = NginxState.QUITTING;
  }

  /** The process is gone (worker_shutdown_timeout expired, or the host vanished). */
  stop(): void {
    this.current = NginxState.STOPPED;
  }

  /** `nginx -s reload`: new settings for new decisions; open connections keep theirs where nginx does. */
  reload(config: NginxConfig): void {
    this.config = config;
  }

  /**
   * After a response nginx answers with `Connection: close` (and closes first, holding the
   * TIME_WAIT) when keep-alive is off, the connection reached keepalive_requests, or nginx is
   * quitting (ngx_http_finalize_connection → ngx_http_set_keepalive is skipped).
   */
  closesAfterResponse(requestsServed: number): boolean {
    const c = this.config;
    return requestsServed >= c.keepalive_requests || this.quitStarted || c.keepalive_timeout === 0;
  }

  /** nginx closes an idle keep-alive connection whose next request comes after keepalive_timeout. */
  closesIdle(think: number): boolean {
    return think >= this.config.keepalive_timeout;
  }

  /**
   * Whether an upstream connection that served `requests` goes back into the keepalive cache
   * (ngx_http_upstream_keepalive_module: off while exiting, and past keepalive_requests).
   */
  cachesUpstream(requests: number): boolean {
    const c = this.config;
    return c.upstream_keepalive > 0 && requests < c.upstream_keepalive_requests && !this.quitStarted;
  }

  /**
   * When nginx times out a WebSocket tunnel born at `born`: proxy_read_timeout of silence, unless
   * the client's pings (every `pingInterval`; 0 or ∞: none) arrive more often than that.
   */
  tunnelIdleDeadline(born: number, pingInterval: number): number {
    const timeout = this.config.proxy_read_timeout;
    if (pingInterval === 0 || pingInterval === Infinity || pingInterval > timeout) return born + timeout;
    return Infinity;
  }
}
