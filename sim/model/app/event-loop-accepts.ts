import type { AppJob } from '../core/app-job.js';

const NONE: AppJob[] = [];

/**
 * The accept queue of a bare app server that is one event loop (`backends[].proxy: none` with
 * `app.workers: 1`: node, a single-process asyncio or uvicorn server), as the clients' own
 * connects meet it behind lb.mode l4 / nat (lb/l4-connect.ts). Such a server accept()s every
 * pending connection once per loop iteration — libuv's uv__server_io() (src/unix/stream.c) calls
 * accept() until EAGAIN and node's onconnection takes each at once — and then runs, one after the
 * other, the requests that were ready when the iteration began (each handler blocks the loop for
 * its service time). So the kernel's accept queue holds only the connections that completed their
 * handshake during the current iteration, and is never full while the loop waits in epoll_wait;
 * the requests of accepted connections queue in the process, not in the kernel. A SYN that finds
 * min(backlog, somaxconn) + 1 connections there is dropped (tcp_conn_request(),
 * net/ipv4/tcp_input.c: sk_acceptq_is_full → ListenOverflows) and the sender retransmits it.
 * Recorded (HAProxy 2.6.12 mode tcp, node v20, backlog 4):
 * calibration/data/haproxy-bare-l4-backlog-*-rt.json. A multi-worker app (an acceptor thread, or
 * workers each blocked in accept()) takes connections at once: not counted here.
 * One iteration is modelled as the jobs in the app when it began (in service and queued); the
 * connections it accepts at its end join the queue behind them, as their requests are read in the
 * next iteration.
 */
export class EventLoopAccepts {
  /** Requests of the connections made during the running iteration (holdUntilAccept), not yet accept()ed. */
  private connecting: AppJob[] = [];
  /** Requests of the connections the loop accept()ed at its last iteration's end, not yet read. */
  private accepted: AppJob[] = [];
  /** Connections in the kernel's accept queue since the loop's last accept(). */
  private pendingCount = 0;
  /** Jobs the current iteration still runs (0: the loop waits in epoll_wait and accepts at once). */
  private iterationLeft = 0;

  /** Connections waiting for the loop's next accept(). */
  get pending(): number {
    return this.pendingCount;
  }

  /** A SYN now meets a full accept queue: the loop is running an iteration and `limit` (backlog + 1) are pending. */
  full(limit: number): boolean {
    return this.iterationLeft > 0 && this.pendingCount >= limit;
  }

  /** The loop is running an iteration (a connection made now waits for its end). */
  get running(): boolean {
    return this.iterationLeft > 0;
  }

  /**
   * The request of a connection made during the running iteration (counted by queued()). node
   * reads it two iterations on: the loop accept()s the connection in the next poll (here: at this
   * iteration's end), and only then asks epoll for its data (node lib/net.js onconnection →
   * readStart, uv__io_start: the fd joins the epoll set at the following uv__io_poll), where it is
   * ready after every connection that became readable meanwhile (epoll's ready list is FIFO). So
   * it joins the app's queue at the end of the iteration after its accept, behind the requests
   * ready then (readable() hands it back), and runs last in the iteration after that.
   */
  holdUntilAccept(job: AppJob): void {
    this.connecting.push(job);
  }

  /** The job finishing now ends the running iteration (call before jobDone()). */
  get endsIteration(): boolean {
    return this.iterationLeft <= 1;
  }

  /**
   * The requests read at the end of this iteration: those of the connections the loop accept()ed
   * at the end of the last one. The caller queues them before jobDone() counts the next iteration.
   */
  readable(): AppJob[] {
    if (this.accepted.length === 0) return NONE;
    const read = this.accepted;
    this.accepted = [];
    return read;
  }

  /** A connection completed its handshake: it waits for the end of the iteration, if one runs. */
  queued(): void {
    if (this.iterationLeft > 0) this.pendingCount++;
  }

  /** A job starts on the idle loop: an iteration begins with it. */
  jobStarted(): void {
    if (this.iterationLeft === 0) this.iterationLeft = 1;
  }

  /**
   * A job of the iteration finished (`inApp`: the jobs the app holds now, in service and queued).
   * The last one ends the iteration: the loop accept()s every pending connection, and the next
   * iteration runs what the app holds now. The requests of the connections accepted now
   * (holdUntilAccept) are read at the next iteration's end (readable()), or now, returned, when
   * the loop has nothing else to run.
   */
  jobDone(inApp: number): AppJob[] {
    if (this.iterationLeft > 0) this.iterationLeft--;
    if (this.iterationLeft > 0) return NONE;
    this.pendingCount = 0;
    this.iterationLeft = inApp;
    if (this.connecting.length === 0) return NONE;
    this.accepted = this.connecting;
    this.connecting = [];
    // Nothing else to run: the loop polls again at once and reads them.
    return inApp === 0 ? this.readable() : NONE;
  }

  /**
   * The process is gone (exit, host lost): its listener and loop with it. The requests it held
   * (connections still in the accept queue, or accepted and not read) stay for heldRequests(): the
   * caller decides what their peers see (app-server.ts drop()).
   */
  reset(): void {
    this.pendingCount = 0;
    this.iterationLeft = 0;
  }

  /**
   * Hand over (and forget) the requests of the connections the loop holds: those still in the
   * kernel's accept queue and those accept()ed and not yet read.
   */
  heldRequests(): AppJob[] {
    if (this.connecting.length === 0 && this.accepted.length === 0) return NONE;
    const held = [...this.accepted, ...this.connecting];
    this.connecting = [];
    this.accepted = [];
    return held;
  }
}
