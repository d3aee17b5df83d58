import type { Conn } from '../core/conn.js';
import type { HttpUpstream } from '../core/hop.js';
import type { World } from '../core/world.js';

/**
 * What ends a client's own connection on a VM (lb.mode l4 and nat): nginx, or on a bare app
 * server (`backends[].proxy: none`) the app's listener itself (app/bare-client-conns.ts). A hop
 * composed in topology.ts: each call goes to the side of the VM the connection is on.
 */
export class ClientConnsByVm implements HttpUpstream {
  constructor(
    private readonly w: World,
    private readonly nginx: HttpUpstream,
    private readonly bare: HttpUpstream,
  ) {}

  private of(conn: Conn): HttpUpstream {
    return conn.backend >= 0 && this.w.backends[conn.backend].bare ? this.bare : this.nginx;
  }

  handle(conn: Conn): void {
    this.of(conn).handle(conn);
  }

  waiting(conn: Conn): void {
    this.of(conn).waiting?.(conn);
  }

  keepsAlive(conn: Conn): boolean {
    return this.of(conn).keepsAlive(conn);
  }

  idleCloseAfter(conn: Conn, think: number): number {
    return this.of(conn).idleCloseAfter(conn, think);
  }

  closeIdle(conn: Conn, delay: number): void {
    this.of(conn).closeIdle(conn, delay);
  }

  abandon(conn: Conn): boolean {
    return this.of(conn).abandon(conn);
  }
}
