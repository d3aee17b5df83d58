/**
 * Connections a busy worker holds accepted: the one whose handshake is in progress and the one
 * its loop accepted at the start of that iteration (NginxWorkers.notAccepted, readWait).
 */
const ACCEPTED_WHILE_BUSY = 2;

/**
 * The worker processes of one nginx generation as CPU: each worker is one single-threaded event loop
 * (ngx_worker_process_cycle → ngx_process_events_and_timers), so whatever work it does runs one
 * piece after another, and an event that arrives while it works waits until the work queued
 * ahead of it is done: a FIFO CPU queue, `busyUntil` being when its last queued work ends.
 *
 * The only work charged is the server side of a TLS handshake (`app.tls.handshake_cpu`, or
 * `resumed_handshake_cpu` for a resumed one: worker-cpu.ts):
 * nginx runs SSL_do_handshake() inside the event loop (ngx_http_ssl_handshake →
 * ngx_ssl_handshake, src/http/ngx_http_request.c, src/event/ngx_event_openssl.c), so the worker
 * does nothing else while it computes. Reading, forwarding and answering a request cost no CPU
 * here (not modelled). The queue paces the handshakes of new connections (one after another per
 * worker; those queued stand for the storm waiting in the kernel's accept queue); a request
 * on an established connection waits only for the handshake in progress (readWait).
 */
export class NginxWorkers {
  /**
   * When each worker's queued work ends (worker i: the i-th forked, the i-th to register the
   * listener); −∞: never busy (a run's warmup starts before t = 0).
   */
  private readonly busyUntil: number[] = [];
  /**
   * Per worker, since it was last idle: the cost every handshake queued on it has had (NaN once
   * they differ, full and resumed ones mixed), and when each of them ends, FIFO from `heads[i]`
   * (entries before it are done). With one cost the queue is counted by dividing by it, as it
   * always was (the figures of runs where every handshake costs the same stay exact to the bit);
   * mixed, by its entries.
   */
  private readonly sameCost: number[] = [];
  private readonly ends: number[][] = [];
  private readonly heads: number[] = [];
  /**
   * Per worker, when each queued handshake of a connection the worker accept()ed BEFORE its
   * ClientHello came ends (run's `accepted`), ascending, FIFO from `acceptedHeads[i]`: those hold
   * no place in the kernel's accept queue (notAccepted).
   */
  private readonly acceptedEnds: number[][] = [];
  private readonly acceptedHeads: number[] = [];

  /** When `worker`'s queued work ends (−∞: never busy; ≤ now: idle in epoll_wait). */
  idleAt(worker: number): number {
    return worker < this.busyUntil.length ? this.busyUntil[worker] : Number.NEGATIVE_INFINITY;
  }

  /**
   * Queue `cpu` seconds of work (one handshake) on `worker` at `now`; returns when it is done.
   * `accepted`: the connection was accept()ed before its ClientHello came (the child of a
   * challenge ACK carries no data, lb/syn-queue.ts), so its handshake, queued now, holds no place
   * in the kernel's accept queue.
   */
  run(worker: number, cpu: number, now: number, accepted = false): number {
    this.grow(worker);
    const busy = this.busyUntil;
    const q = this.ends[worker];
    if (busy[worker] <= now) {
      // Idle: a new queue (the old one's entries are all done).
      q.length = 0;
      this.heads[worker] = 0;
      this.acceptedEnds[worker].length = 0;
      this.acceptedHeads[worker] = 0;
      this.sameCost[worker] = cpu;
    } else if (this.sameCost[worker] !== cpu) this.sameCost[worker] = Number.NaN;
    const end = Math.max(busy[worker], now) + cpu;
    busy[worker] = end;
    q.push(end);
    if (accepted) this.acceptedEnds[worker].push(end);
    return end;
  }

  /** How long an event arriving at `now` on `worker` waits for the work queued ahead of it. */
  wait(worker: number, now: number): number {
    const until = worker < this.busyUntil.length ? this.busyUntil[worker] : Number.NEGATIVE_INFINITY;
    return until > now ? until - now : 0;
  }

  /**
   * How long a request arriving at `now` on an established connection of `worker` waits, the
   * queued work being handshakes (run() back to back while busy): the rest of the handshake in
   * progress, plus the next handshake when others are queued behind it — not the whole queue.
   * nginx accepts ONE connection per event-loop iteration (ngx_event_accept,
   * src/event/ngx_event_accept.c: `ev->available = ecf->multi_accept`, `multi_accept off` by
   * default, `do { accept4() ... } while (ev->available)`), so a storm's later connections wait
   * in the kernel's accept queue of the listener, not in the worker. Each iteration of
   * ngx_process_events_and_timers() (src/event/ngx_event.c) runs the events epoll_wait returned,
   * in the order they became ready (fs/eventpoll.c ep_poll_callback: list_add_tail on rdllist):
   * the level-triggered listener (put back at the list's tail as epoll_wait returns it,
   * ep_send_events), whose handler accepts one connection and arms its read event
   * (ngx_http_init_connection, src/http/ngx_http_request.c: its ClientHello is already there, so
   * it is ready at once), then the handshake of the connection accepted one iteration before
   * (ngx_http_ssl_handshake → ngx_ssl_handshake, src/event/ngx_event_openssl.c), then the
   * established connections' requests that arrived during that handshake. So such a request waits
   * for the handshake in progress and for the one connection accepted just ahead of it.
   */
  readWait(worker: number, now: number): number {
    const left = this.wait(worker, now);
    if (left <= 0) return left;
    const cpu = this.sameCost[worker];
    if (Number.isNaN(cpu)) {
      const head = this.pending(worker, now);
      const q = this.ends[worker];
      return (head + 1 < q.length ? q[head + 1] : q[head]) - now;
    }
    if (cpu <= 0) return left;
    // Handshakes not yet finished, the one in progress included (1e-9: float slack of run()'s sums).
    const pending = Math.ceil(left / cpu - 1e-9);
    const current = left - (pending - 1) * cpu;
    return pending > 1 ? current + cpu : current;
  }

  /**
   * How many of the connections queued on these workers at `now` the kernel still holds in the
   * listener's accept queue, not yet accept()ed: what the listen backlog counts (worker-cpu.ts
   * listenQueued). "Accepted" follows nginx's loop as readWait does: an iteration of a busy worker
   * accepts one connection (ngx_event_accept, multi_accept off) and then runs the handshake of
   * the one it accepted the iteration before, so while it computes a handshake it holds that
   * connection and the next one, accepted just before; the rest of its queue (its `pending` − 2)
   * is still in the kernel. A worker that is idle accepts a new connection at once (0 left).
   * The workers share the one listening socket (no `reuseport` by default), so the accept queue is
   * the sum over workers (with `reuseport`, over the workers of one socket: `only`); that the model gives each queued connection its worker at the SYN,
   * where the kernel lets whichever worker comes round first take the queue's head, does not
   * change the count. Inexact by at most one a worker: a connection that arrived after its
   * worker's current iteration began is counted accepted, though it waits for the next one.
   * A handshake of a connection accept()ed before its ClientHello came (run's `accepted`: a
   * challenge ACK's child, which an idle worker takes at once — ngx_event_accept, then
   * ngx_http_init_connection arms its read event and SSL_do_handshake has nothing to read,
   * ngx_ssl_handshake returns NGX_AGAIN — and whose ClientHello comes with a later data copy) is
   * queued work but no accept-queue place: not counted. While such a handshake is the one in
   * progress, the worker holds one connection it accepted at that iteration's start, not two.
   * `only`: the workers counted — with `listen … reuseport` those taking from one listening
   * socket, whose accept queue is its own (TlsCpu.listenQueued).
   */
  notAccepted(now: number, only?: (worker: number) => boolean): number {
    let n = 0;
    for (let i = 0; i < this.busyUntil.length; i++) {
      if (only !== undefined && !only(i)) continue;
      const pending = this.queued(i, now);
      const early = this.acceptedPending(i, now);
      // Whether the handshake in progress is one of the early-accepted ones (the queue is FIFO and
      // both lists ascend: the first unfinished entry of each is the same handshake then).
      const inProgressEarly = early > 0 && this.ends[i][this.pending(i, now)] === this.firstAccepted(i);
      const held = inProgressEarly ? ACCEPTED_WHILE_BUSY - 1 : ACCEPTED_WHILE_BUSY;
      const waiting = pending - early - held;
      if (waiting > 0) n += waiting;
    }
    return n;
  }

  /**
   * The listening socket closed for good at `now` (nginx's QUIT: ngx_close_listening_sockets, in
   * the master at once and in each worker after its current event-loop pass,
   * src/os/unix/ngx_process_cycle.c): the connections the kernel still held in its accept queue are
   * reset (inet_csk_listen_stop → inet_child_forget → tcp_disconnect: RST,
   * net/ipv4/inet_connection_sock.c), so their handshakes leave each worker's queue. A busy worker
   * keeps what it holds as notAccepted counts it: the handshake in progress and the connection its
   * pass accepted before it (ACCEPTED_WHILE_BUSY), and every connection accept()ed before its
   * ClientHello (run's `accepted`; the queue is cut after the last of them, so what stays is a
   * prefix and run()'s sums stay exact). Returns, per worker, when its last kept handshake ends
   * (`cuts[i]`: the handshakes queued on worker i ending later were dropped; ∞: none dropped) and
   * `lastPass`: when the busiest worker finishes the handshake in progress, ending its pass — the
   * last close of the socket, when the kernel resets them. `only`: just those workers' own sockets
   * close (the reuseport sockets a reload dropped, master.ts closeDropped): only their queues are
   * cut, but every worker of the generation holds a copy of each (forked with all its cycle's
   * fds), so the last close still waits for the busiest one's pass.
   */
  dropUnaccepted(now: number, only?: readonly number[]): { cuts: number[]; lastPass: number } {
    const cuts: number[] = [];
    let lastPass = now;
    for (let i = 0; i < this.busyUntil.length; i++) {
      cuts.push(Number.POSITIVE_INFINITY);
      const head = this.pending(i, now);
      if (head < 0) continue;
      const q = this.ends[i];
      if (q[head] > lastPass) lastPass = q[head];
      if (only !== undefined && !only.includes(i)) continue;
      let keep = head + ACCEPTED_WHILE_BUSY - 1;
      if (this.acceptedPending(i, now) > 0) {
        const early = this.acceptedEnds[i];
        const lastEarly = early[early.length - 1];
        while (keep + 1 < q.length && q[keep] < lastEarly) keep++;
      }
      if (keep + 1 >= q.length) continue;
      q.length = keep + 1;
      this.busyUntil[i] = q[keep];
      cuts[i] = q[keep];
    }
    return { cuts, lastPass };
  }

  /** Handshakes of `worker` unfinished at `now` whose connection was accepted before its data (run's `accepted`). */
  private acceptedPending(worker: number, now: number): number {
    if (worker >= this.acceptedEnds.length) return 0;
    const q = this.acceptedEnds[worker];
    const head = firstAfter(q, this.acceptedHeads[worker], now);
    this.acceptedHeads[worker] = head;
    return q.length - head;
  }

  private firstAccepted(worker: number): number {
    return this.acceptedEnds[worker][this.acceptedHeads[worker]];
  }

  /** Handshakes `worker` has not finished at `now` (the one in progress included): those ahead of an event. */
  queued(worker: number, now: number): number {
    return this.endingBy(worker, now, this.wait(worker, now));
  }

  /**
   * Handshakes of `worker` unfinished at `now` that end within `wait` s: those a request waiting
   * that long waits for (1e-9 of a handshake, 1e-12 s: float slack of run()'s sums).
   */
  endingBy(worker: number, now: number, wait: number): number {
    if (worker >= this.sameCost.length) return 0;
    const cpu = this.sameCost[worker];
    if (!Number.isNaN(cpu)) return cpu > 0 ? Math.ceil(wait / cpu - 1e-9) : 0;
    const head = this.pending(worker, now);
    if (head < 0) return 0;
    const q = this.ends[worker];
    let i = head;
    while (i < q.length && q[i] <= now + wait + 1e-12) i++;
    return i - head;
  }

  /** Index of `worker`'s first handshake not finished at `now` (−1: none), dropping those done. */
  private pending(worker: number, now: number): number {
    if (worker >= this.ends.length) return -1;
    const q = this.ends[worker];
    const head = firstAfter(q, this.heads[worker], now);
    this.heads[worker] = head;
    return head < q.length ? head : -1;
  }

  private grow(worker: number): void {
    while (this.busyUntil.length <= worker) {
      this.busyUntil.push(Number.NEGATIVE_INFINITY);
      this.sameCost.push(0);
      this.ends.push([]);
      this.heads.push(0);
      this.acceptedEnds.push([]);
      this.acceptedHeads.push(0);
    }
  }
}

/**
 * The index of the first entry of the ascending `q` that ends after `now`, searching from `head`.
 * A worker busy for long: the finished entries are dropped now and then (the index is then
 * relative to the shortened array), not at every call.
 */
function firstAfter(q: number[], head: number, now: number): number {
  let i = head;
  while (i < q.length && q[i] <= now) i++;
  if (i > 1024 && i * 2 > q.length) {
    q.splice(0, i);
    return 0;
  }
  return i;
}

/**
 * HAProxy's threads (`nbthread`) as the same kind of FIFO CPU queues (NginxWorkers' run/wait), with
 * HAProxy's own choice of thread for an accepted connection (src/listener.c listener_accept(),
 * `tune.listener.multi-queue` on by default): two running indexes visit the threads, one upwards
 * (t1) and one downwards (t2); the connection goes to the one with fewer connections (its
 * accept queue plus `thr_conn`), and the index that was not taken moves on (q1 < q2: t2 steps;
 * q1 > q2: t1 steps; equal: t1 takes it and steps) — "good fairness on short connections (round
 * robin) and on long ones (conn count), without ever missing any idle thread". Left out: its
 * preference for the accepting thread itself when it is as good (q0), which only saves a
 * migration, and thread groups.
 */
export class HaproxyThreads {
  readonly cpu = new NginxWorkers();
  private readonly conns: number[];
  private t1 = 0;
  private t2: number;

  constructor(readonly count: number) {
    this.conns = new Array<number>(count).fill(0);
    this.t2 = count - 1;
  }

  /** The thread that takes a new connection (counted on it until release()). */
  pick(): number {
    const n = this.count;
    let t: number;
    if (this.conns[this.t1] < this.conns[this.t2]) {
      t = this.t1;
      this.t2 = (this.t2 + n - 1) % n;
    } else if (this.conns[this.t1] > this.conns[this.t2]) {
      t = this.t2;
      this.t1 = (this.t1 + 1) % n;
    } else {
      t = this.t1;
      this.t1 = (this.t1 + 1) % n;
    }
    this.conns[t]++;
    return t;
  }

  /** A connection of thread `t` ended. */
  release(t: number): void {
    if (this.conns[t] > 0) this.conns[t]--;
  }

  /** Connections thread `t` holds. */
  connections(t: number): number {
    return this.conns[t];
  }
}
