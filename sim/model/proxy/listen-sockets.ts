import { ListenWaitQueue, type WaitEntry } from './listen-wait-queue.js';

/**
 * One of `workers` for a client 4-tuple: a multiplicative hash of address and port scaled onto
 * [0, workers) (the kernel's reciprocal_scale), so consecutive (even) ports spread evenly.
 */
export function spreadOver(workers: number, ip: number, port: number): number {
  const hash = Math.imul((ip << 16) ^ port, 0x9e3779b1) >>> 0;
  return Math.floor((hash * workers) / 2 ** 32);
}

/** One listening socket on nginx's address: the workers waiting on it, and SO_REUSEPORT. */
interface ListenSocket {
  readonly waiting: ListenWaitQueue;
  reuseport: boolean;
}

/** A new connection's 4-tuple, as far as the socket lookup hashes it. */
export interface FourTuple {
  readonly clientIp: number;
  readonly clientPort: number;
}

/**
 * nginx's listening sockets on its address across reloads, and which one the kernel hands a new
 * connection to.
 *
 * - Without `reuseport` a cycle has one listening entry, shared by every worker (each waits on it,
 *   ListenWaitQueue). With `reuseport` it has one per worker: ngx_event_init_conf
 *   (src/event/ngx_event.c) calls ngx_clone_listening (src/core/ngx_connection.c), which appends
 *   `worker_processes` − 1 copies with `ls->worker = 1, 2, …`; ngx_open_listening_sockets binds each
 *   with SO_REUSEPORT, in that order. Worker k adds only the entry with `ls[i].worker == ngx_worker`
 *   to its epoll (ngx_event_process_init), WITHOUT EPOLLEXCLUSIVE (`if (ls[i].reuseport)
 *   ngx_add_event(rev, NGX_READ_EVENT, 0)`), and ngx_reorder_accept_events returns at once for a
 *   reuseport listener.
 * - The kernel keeps SO_REUSEPORT sockets of one address in a group, `socks[]` in the order they
 *   listened (net/core/sock_reuseport.c reuseport_add_sock appends), and gives a SYN to
 *   `socks[reciprocal_scale(hash, num_socks)]` (reuseport_select_sock; spreadOver here). A socket
 *   leaving the group (reuseport_detach_sock, at its last close) is replaced in its slot by the last.
 * - A reload (ngx_init_cycle, src/core/ngx_cycle.c) matches each new listening entry, in order, with
 *   the first old one of the same address not yet matched: it inherits that fd (`nls[n].fd =
 *   ls[i].fd`). So new worker k gets old worker k's socket and waits on it beside old worker k
 *   until the old one's QUIT. A new entry with no old one left opens a new socket (more workers),
 *   which joins the group at once; an old entry no new one took is closed by the master ("close the
 *   unnecessary listening sockets") but stays open in the old workers, which inherited every fd of
 *   their cycle at the fork (a worker skips the other workers' entries, it does not close them),
 *   until each old worker's ngx_close_listening_sockets at its QUIT closes them all. From the
 *   reload to that QUIT the kernel still hashes over it, and only old workers wait on it.
 *   Off → on (`add_reuseport`): the old shared socket gets SO_REUSEPORT (ngx_open_listening_sockets:
 *   "to allow transition from a socket without SO_REUSEPORT to multiple sockets with SO_REUSEPORT")
 *   and becomes new worker 0's, the rest are new. On → off: worker 0's socket is the new shared
 *   one (it keeps SO_REUSEPORT: nothing clears it) and the others close with the old generation.
 * - Connections still in a closing socket's accept queue are reset (inet_csk_listen_stop:
 *   inet_child_forget, unless net.ipv4.tcp_migrate_req, default 0, lets reuseport_migrate_sock move
 *   them). The model gives a connection its worker when it arrives (Nginx.accept), so the queue is
 *   the handshakes queued on busy workers beyond what each holds (NginxWorkers.notAccepted); a
 *   QUIT of every generation closes every socket and resets those (master.ts closeListeners,
 *   NginxWorkers.dropUnaccepted). The sockets a reload drops (heldUntilQuit) close for good at the
 *   old workers' QUIT: open() names the old workers whose own sockets they were
 *   (NginxGeneration.droppedWorkers), and the master resets those workers' queues then (master.ts
 *   closeDropped; session 22). An inherited socket's queue passes to the new worker of its index
 *   (the model leaves it with the old one, which handshakes it): nothing is reset there.
 * - Each socket of the group has its own accept queue and limit (sk_ack_backlog against its own
 *   sk_max_ack_backlog): the connections queued on the workers that take from the socket a SYN
 *   reaches (takesFrom) are the queue that SYN meets (session 23; one queue per port before).
 */
export class ListenSockets {
  /** The SO_REUSEPORT group, in the kernel's `socks[]` order. */
  private readonly group: ListenSocket[] = [];
  /** The newest cycle's listening entries: ls[i], `ls[i].worker == i` with reuseport, one without. */
  private cycle: ListenSocket[] = [];
  /** Per generation id: sockets the master closed at the reload that replaced it, open until its QUIT. */
  private readonly heldUntilQuit = new Map<number, ListenSocket[]>();
  /**
   * Per generation id: the socket each of its workers takes its connections from (ls[k] with
   * reuseport, ls[0] without), kept after its QUIT while it lives: the handshakes queued on its
   * workers stand for connections in those sockets' accept queues (takesFrom).
   */
  private readonly workerSockets = new Map<number, ListenSocket[]>();

  /**
   * Generation `gen` starts with its cycle's listening entries (`workers`, `reuseport`), inherited
   * from the cycle of generation `replaced` (−1: a fresh start, every socket opened), and each of
   * its workers adds its entry to its epoll in fork order (`idleAt(k)`: when worker k's work ends).
   * Returns the workers of `replaced` whose own socket (`ls[k].worker == k`, reuseport) no new
   * entry inherited: ngx_init_cycle's "close the unnecessary listening sockets" loop closes the
   * master's copy (`ls[i].remain == 0`, src/core/ngx_cycle.c), so only `replaced`'s workers hold
   * it, until their QUIT (leave).
   */
  open(
    replaced: number,
    gen: number,
    workers: number,
    reuseport: boolean,
    idleAt: (worker: number) => number,
  ): number[] {
    const inherited = this.cycle;
    const entries = reuseport ? workers : 1;
    const next: ListenSocket[] = [];
    for (let n = 0; n < entries; n++) {
      const s = n < inherited.length ? inherited[n] : { waiting: new ListenWaitQueue(), reuseport };
      if (reuseport && !this.group.includes(s)) {
        s.reuseport = true; // add_reuseport on an inherited shared socket
        this.group.push(s);
      }
      next.push(s);
    }
    const closed = inherited.slice(entries);
    const dropped: number[] = [];
    if (closed.length > 0 && replaced >= 0) {
      this.heldUntilQuit.set(replaced, closed);
      // inherited[k] is the replaced cycle's entry k: with reuseport, its worker k's own socket.
      for (let k = entries; k < inherited.length; k++) dropped.push(k);
    }
    this.cycle = next;
    this.workerSockets.set(
      gen,
      Array.from({ length: workers }, (_, k) => next[reuseport ? k : 0]),
    );
    for (let k = 0; k < workers; k++) {
      const until = (): number => idleAt(k);
      // EPOLLEXCLUSIVE only on a shared socket with more than one worker (ngx_event_process_init).
      if (reuseport) next[k].waiting.register(gen, k, until, false);
      else next[0].waiting.register(gen, k, until, workers > 1);
    }
    return dropped;
  }

  /**
   * Generation `gen`'s workers got QUIT: each leaves every wait queue (ngx_close_listening_sockets:
   * EPOLL_CTL_DEL, close), and the sockets only they still held close (reuseport_detach_sock).
   */
  leave(gen: number): void {
    for (const s of this.sockets()) s.waiting.remove(gen);
    for (const s of this.heldUntilQuit.get(gen) ?? []) {
      const i = this.group.indexOf(s);
      if (i < 0) continue;
      this.group[i] = this.group[this.group.length - 1];
      this.group.pop();
    }
    this.heldUntilQuit.delete(gen);
  }

  /** Generation `gen` exited: nothing of it is counted in any accept queue any more. */
  forget(gen: number): void {
    this.workerSockets.delete(gen);
  }

  /** Every socket closed (nginx stopped or gone). */
  clear(): void {
    this.group.length = 0;
    this.cycle = [];
    this.heldUntilQuit.clear();
    this.workerSockets.clear();
  }

  /**
   * Whether the listening sockets have accept queues of their own to tell apart: more than one
   * SO_REUSEPORT socket in the group. Each listening socket has its own sk_ack_backlog and
   * request queue (include/net/sock.h sk_acceptq_is_full, include/net/inet_connection_sock.h
   * inet_csk_reqsk_queue_len), checked against its own sk_max_ack_backlog; one socket (nginx's
   * default) is one queue for every worker.
   */
  get ownQueues(): boolean {
    return this.group.length > 1;
  }

  /**
   * Whether worker `worker` of generation `gen` takes its connections from the socket a SYN from
   * `conn` reaches (socketOf): its queued handshakes are that socket's accept queue.
   */
  takesFrom(conn: FourTuple, gen: number, worker: number): boolean {
    const sockets = this.workerSockets.get(gen);
    return sockets !== undefined && sockets[worker] === this.socketOf(conn);
  }

  /** The generation of the worker pick() would choose for `conn` at `now` (without choosing it); −1: none. */
  peekGeneration(now: number, conn?: FourTuple): number {
    return this.socketOf(conn)?.waiting.peekGeneration(now) ?? -1;
  }

  /** The worker that accepts `conn` at `now` on the socket the kernel gives it (ListenWaitQueue.pick). */
  pick(
    now: number,
    conn: FourTuple | undefined,
    eligible: (e: WaitEntry) => boolean,
    disabled: (e: WaitEntry) => boolean,
    refuses: (e: WaitEntry) => boolean,
  ): WaitEntry | undefined {
    return this.socketOf(conn)?.waiting.pick(now, eligible, disabled, refuses);
  }

  /**
   * The socket a SYN from `conn` reaches: by the group's hash when there is more than one
   * SO_REUSEPORT socket (reuseport_select_sock), else the one listening. No `conn` (tests that
   * count generations only): the newest cycle's first entry.
   */
  private socketOf(conn?: FourTuple): ListenSocket | undefined {
    if (conn !== undefined && this.group.length > 1)
      return this.group[spreadOver(this.group.length, conn.clientIp, conn.clientPort)];
    return this.cycle[0];
  }

  private sockets(): Set<ListenSocket> {
    return new Set([...this.group, ...this.cycle]);
  }
}
