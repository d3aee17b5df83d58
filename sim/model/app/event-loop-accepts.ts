import type { AppJob } from '../core/app-job.js';

const NONE: AppJob[] = [];

/** A request on a kept-alive connection, unread until the iteration's end (unreadUntil): its keep-alive timer's due time, and since when it waits. */
export interface Unread {
  readonly job: AppJob;
  readonly due: number;
  readonly since: number;
}

const NO_UNREAD: readonly Unread[] = [];

/** A connection in the kernel's accept queue: whose it is (null: unnamed), and the request it brings once known. */
interface Queued {
  readonly owner: object | null;
  job: AppJob | null;
}

/**
 * The accept queue of a bare app server that is one event loop (`backends[].proxy: none` with
 * `app.workers: 1`: node, a single-process asyncio or uvicorn server), as every connect to it
 * meets it (the clients' own through lb/l4-connect.ts, health checks, nginx, WebSocket upgrades:
 * app-listener.ts). One loop iteration is one uv__io_poll(): one epoll_wait() and the callbacks of
 * the file descriptors it returned, in the ready list's order — each request handler blocking the
 * loop for its service time. The listening socket is among them at most once, and its callback
 * accept()s ONE connection: libuv ≥ 1.45 (node v20.20.2 ships 1.46.0, `process.versions.uv`),
 * src/unix/stream.c uv__server_io() calls uv__accept() once and leaves the rest to level-triggered
 * epoll reporting the socket again at the next poll (libuv commit 6c692ad1c "unix: don't accept()
 * connections in a loop", 2022; before, it looped until EAGAIN). epoll puts a level-triggered
 * descriptor it reported back at the tail of its ready list (ep_send_events, fs/eventpoll.c), ahead
 * of those that become ready during the iteration's handlers, so the next iteration begins with
 * that accept. So a connection made while the loop runs waits in the kernel's accept queue for
 * its turn, one per iteration; a SYN that finds min(backlog, somaxconn) + 1 there is dropped
 * (tcp_conn_request(), net/ipv4/tcp_input.c: sk_acceptq_is_full → ListenOverflows) and the
 * sender retransmits it. An iteration with nothing to run after it does not empty the queue:
 * its next poll accept()s one connection and runs no handler (the new socket joins the epoll set
 * only at the poll after: node lib/net.js Socket() read(0) → uv_read_start → uv__io_start queues
 * the watcher, and uv__io_poll, src/unix/linux.c, issues its epoll_ctl(ADD) at its start), the
 * following poll comes at once (the listener is still ready) and accept()s the second, then
 * runs the first's handler (ep_insert puts the new socket on the ready list behind the
 * listener, which ep_send_events had put back at its tail), and from there on it is one accept
 * per iteration again. Recorded (HAProxy 2.6.12 mode
 * tcp, node v20, backlog 4): calibration/data/haproxy-bare-l4-backlog-*-rt.json. A multi-worker
 * app (an acceptor thread, or workers each blocked in accept()) takes connections at once: not
 * counted here.
 * One iteration is modelled as the jobs in the app when it began (in service and queued); the
 * connection it accepts at its end (the next one's start) has its request read in the next
 * iteration's poll, behind the requests ready then.
 */
export class EventLoopAccepts {
  /**
   * `batch`: the connections one iteration's accept callback takes (`app.accept_batch`): 1 for
   * node (libuv ≥ 1.45 uv__server_io: one accept()); CPython asyncio's selector loop takes up to
   * its `backlog` (Lib/asyncio/selector_events.py _accept_connection: `for _ in range(backlog)`,
   * uvicorn passing its --backlog, 2048), gevent's server up to `max_accept` 100
   * (src/gevent/baseserver.py BaseServer._do_read: `for _ in xrange(self.max_accept)`), each
   * stopping early at EAGAIN.
   */
  constructor(private readonly batch = 1) {}

  /**
   * The connections in the kernel's accept queue, oldest first (made while an iteration ran, not
   * yet accept()ed), with the request each brings once the caller left it here (holdUntilAccept,
   * holdRequestOf).
   */
  private acceptQueue: Queued[] = [];
  /** Requests of the connection the loop accept()ed at its last iteration's end, not yet read. */
  private accepted: AppJob[] = [];
  /** Requests held by the accept queue of a process that is gone (reset), for heldRequests(). */
  private orphaned: AppJob[] = [];
  /** Jobs the current iteration still runs (0: the loop waits in epoll_wait and accepts at once). */
  private iterationLeft = 0;
  /** The running iteration is a pause that began on the idle loop (stopped() counted it as one job). */
  private pauseIteration = false;
  /**
   * Requests that came on kept-alive connections during the running iteration, unread until its
   * end, and when each connection's keep-alive timer is due (unreadUntil).
   */
  private unread: Unread[] = [];

  /** Connections waiting in the kernel's accept queue for the loop's accept(). */
  get pending(): number {
    return this.acceptQueue.length;
  }

  /** The loop is running an iteration (a connection made now waits for its end). */
  get running(): boolean {
    return this.iterationLeft > 0;
  }

  /**
   * The request of the connection queued() just now, made during the running iteration. node
   * reads it one iteration after its accept: the loop accept()s the connection in its turn (one
   * per iteration), and only then asks epoll for its data (node lib/net.js onconnection →
   * readStart, uv__io_start: the fd joins the epoll set at the following uv__io_poll), where it is
   * ready after every connection that became readable meanwhile (epoll's ready list is FIFO). So
   * it joins the app's queue at the end of the iteration after its accept, behind the requests
   * ready then (readable() hands it back), and runs last in the iteration after that.
   */
  holdUntilAccept(job: AppJob): void {
    const last = this.acceptQueue[this.acceptQueue.length - 1];
    if (last !== undefined && last.job === null && last.owner === null) last.job = job;
    else this.acceptQueue.push({ owner: null, job });
  }

  /**
   * The request `job` arrives on `owner`'s connection (queued(owner)): held as holdUntilAccept
   * holds a check's while the connection waits in the accept queue (true); false when it was
   * accept()ed already (the caller queues the request itself).
   */
  holdRequestOf(owner: object, job: AppJob): boolean {
    const q = this.find(owner);
    if (q === undefined) return false;
    q.job = job;
    return true;
  }

  /** `owner`'s client closed before the loop accept()ed it: its place stays (node accepts, then reads EOF), its request goes. */
  forget(owner: object): boolean {
    const q = this.find(owner);
    if (q === undefined || q.job === null) return false;
    q.job = null;
    return true;
  }

  /**
   * `job`'s sender let it go while the loop holds it (nginx's proxy_read_timeout or its client's
   * close: proxy/upstream.ts, client-conns.ts; nginx ending the connection: master.ts): `stand`
   * (a stand-in doing the same work for nobody, AppServer.orphan) takes its place: the request's
   * bytes are already in the app's socket, so the loop reads and serves them whoever waits. False
   * when the loop does not hold it.
   */
  replaceHeld(job: AppJob, stand: AppJob): boolean {
    const q = this.acceptQueue.findIndex((e) => e.job === job);
    if (q >= 0) {
      this.acceptQueue[q] = { owner: this.acceptQueue[q].owner, job: stand };
      return true;
    }
    const a = this.accepted.indexOf(job);
    if (a < 0) return false;
    this.accepted[a] = stand;
    return true;
  }

  private find(owner: object): Queued | undefined {
    for (const q of this.acceptQueue) if (q.owner === owner) return q;
    return undefined;
  }

  /**
   * A request came on a kept-alive connection while the loop runs: it is read at the iteration's
   * end, but node's keep-alive timer on that connection (armed when its last response was
   * written: lib/_http_server.js resOnFinish → socket.setTimeout(keepAliveTimeout + 1 s)) is due
   * at `due`, and libuv runs its timers between the iteration's handlers and the next poll
   * (libuv 1.46.0 src/unix/core.c uv_run: uv__io_poll, then uv__update_time and uv__run_timers).
   */
  unreadUntil(job: AppJob, due: number, now: number): void {
    if (this.iterationLeft > 0) this.unread.push({ job, due, since: now });
  }

  /**
   * The running iteration ends at `now`: the requests of unreadUntil() whose connection's timer is
   * due by now. node's timer phase comes first and destroys those sockets with the request unread
   * (lib/_http_server.js socketOnTimeout → socket.destroy()); the poll after reads the others.
   */
  timersDue(now: number): readonly Unread[] {
    if (this.unread.length === 0) return NO_UNREAD;
    const due = this.unread.filter((u) => u.due <= now);
    this.unread = [];
    return due;
  }

  /** The job finishing now ends the running iteration (call before jobDone()). */
  get endsIteration(): boolean {
    return this.iterationLeft <= 1;
  }

  /**
   * The requests read at the end of this iteration: that of the connection the loop accept()ed
   * at the end of the last one. The caller queues them before jobDone() counts the next iteration.
   */
  readable(): AppJob[] {
    if (this.accepted.length === 0) return NONE;
    const read = this.accepted;
    this.accepted = [];
    return read;
  }

  /** A connection (of `owner`, if named) completed its handshake: it waits for its accept if an iteration runs. */
  queued(owner: object | null = null): void {
    if (this.iterationLeft > 0) this.acceptQueue.push({ owner, job: null });
  }

  /**
   * The process stops (a stop-the-world pause: GC, SIGSTOP). A stopped process runs nothing, so
   * it accept()s nothing: the connections made meanwhile wait in the kernel's accept queue (and a
   * SYN that finds it full is dropped, app-listener.ts), and requests on its kept-alive connections
   * stay unread. A loop in an iteration just runs longer (the caller pushes its jobs' ends back);
   * an idle loop, blocked in epoll_wait, counts the pause as one long iteration (one job), which
   * resumed() ends as the last job ends any iteration.
   */
  stopped(): void {
    if (this.iterationLeft > 0) return;
    this.iterationLeft = 1;
    this.pauseIteration = true;
  }

  /**
   * The process runs again: true when the pause was the loop's iteration (stopped() on an idle
   * loop) — the caller then ends it as a job's finish does (timers, then jobDone()).
   */
  resumed(): boolean {
    const was = this.pauseIteration;
    this.pauseIteration = false;
    return was;
  }

  /** A job starts on the idle loop: an iteration begins with it. */
  jobStarted(): void {
    if (this.iterationLeft === 0) this.iterationLeft = 1;
  }

  /**
   * A job of the iteration finished (`inApp`: the jobs the app holds now, in service and queued).
   * The last one ends the iteration: the next begins with one accept() (uv__server_io) and runs
   * what the app holds now. The request the accepted connection brings (holdUntilAccept) is read
   * at the next iteration's end (readable()). With nothing to run the loop polls again at once:
   * see acceptWhileIdle().
   */
  jobDone(inApp: number): AppJob[] {
    if (this.iterationLeft > 0) this.iterationLeft--;
    if (this.iterationLeft > 0) return NONE;
    this.iterationLeft = inApp;
    if (this.acceptQueue.length === 0) return NONE;
    if (inApp > 0) {
      this.acceptBatch();
      return NONE;
    }
    return this.acceptWhileIdle();
  }

  /** One accept callback: up to `batch` connections off the queue, their requests read at the next iteration's end. */
  private acceptBatch(): void {
    for (const q of this.acceptQueue.splice(0, this.batch)) if (q.job !== null) this.accepted.push(q.job);
  }

  /**
   * The loop has nothing to run and connections wait in the accept queue: its polls follow each
   * other at once, each accept()ing one connection (uv__server_io, libuv 1.46.0 src/unix/stream.c)
   * and running the handler of the one accepted at the poll before, whose socket epoll_ctl(ADD)
   * joined the ready list then, behind the listener (ep_insert / ep_send_events, fs/eventpoll.c).
   * A connection without a request yet (forget(), or its request not arrived) is accepted with
   * no handler to run; the first with one is returned (its handler runs now, a new iteration), and
   * that poll accept()s the next connection, whose request is read at the iteration's end
   * (readable()). The rest wait for their turn, one per iteration. Session 17 took every pending
   * connection here and read all their requests at once (review19 defect 1). With a `batch` above
   * one each poll takes up to that many: the handlers of the first batch with a request run in
   * one iteration, and its poll accepts the next batch.
   */
  private acceptWhileIdle(): AppJob[] {
    while (this.acceptQueue.length > 0) {
      const run: AppJob[] = [];
      for (const q of this.acceptQueue.splice(0, this.batch)) if (q.job !== null) run.push(q.job);
      if (run.length === 0) continue;
      this.acceptBatch();
      // The caller starts them: one iteration runs them all (jobStarted leaves a running one be).
      this.iterationLeft = run.length;
      return run;
    }
    return NONE;
  }

  /**
   * The listening socket closed (node's server.close() at SIGTERM: libuv uv_close → close(2)) with
   * connections still in its accept queue: the kernel resets each (inet_csk_listen_stop →
   * inet_child_forget, net/ipv4/inet_connection_sock.c). Returns the requests they brought; the
   * connections accept()ed already (their requests read at the next iteration) stay.
   */
  listenerClosed(): AppJob[] {
    if (this.acceptQueue.length === 0) return NONE;
    const reset: AppJob[] = [];
    for (const q of this.acceptQueue) if (q.job !== null) reset.push(q.job);
    this.acceptQueue = [];
    return reset;
  }

  /**
   * The process is gone (exit, host lost): its listener and loop with it. The requests it held
   * (connections still in the accept queue, or accepted and not read) stay for heldRequests(): the
   * caller decides what their peers see (app-server.ts drop()).
   */
  reset(): void {
    for (const q of this.acceptQueue) if (q.job !== null) this.orphaned.push(q.job);
    this.acceptQueue = [];
    this.iterationLeft = 0;
    this.pauseIteration = false;
    this.unread = [];
  }

  /**
   * Hand over (and forget) the requests of the connections the loop holds: those still in the
   * kernel's accept queue and those accept()ed and not yet read.
   */
  heldRequests(): AppJob[] {
    this.reset();
    if (this.orphaned.length === 0 && this.accepted.length === 0) return NONE;
    const held = [...this.accepted, ...this.orphaned];
    this.orphaned = [];
    this.accepted = [];
    return held;
  }
}
