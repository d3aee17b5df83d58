import type { JiffiesClock } from '../../net/jiffies.js';
import { Handshake } from '../../net/listen-queue.js';
import { synRetransmitSchedule } from '../../net/tcp.js';
import type { AckWaiter, ListenerSender } from '../app/app-listener.js';
import type { AppServer } from '../app/app-server.js';
import { CheckTlsHandshakes } from '../app/tls.js';
import { type AppJob, ReqPhase, Status } from '../core/app-job.js';
import { Req } from '../core/request.js';
import type { VmView as Backend } from '../core/vm-view.js';
import type { World } from '../core/world.js';
import { CheckWaitQueue } from './check-wait-queue.js';
import type { IdleConnTask } from './idle-conn-task.js';

/** One checker's settings, from HAProxy `check` options or a Kubernetes probe. */
export interface CheckPolicy {
  type: 'tcp' | 'http';
  endpoint: 'shallow' | 'deep';
  inter: number;
  fastinter: number;
  downinter: number;
  rise: number;
  fall: number;
  /** The whole check's timeout from its start; with `connectTimeout`, counted from the connect. */
  timeout: number;
  /**
   * HAProxy with `timeout check`: the connect gets min(inter, timeout connect), after which
   * `timeout` (timeout check) counts from the established connection (src/tcpcheck.c
   * tcpcheck_eval_connect()) but ends no earlier than the connect deadline (answerDeadline()). Unset (HAProxy without `timeout check`, kubelet): `timeout` bounds
   * the connect and the whole check from its start.
   */
  connectTimeout?: number;
  /** A deep check's own timeout on its database query; 0 or ∞: none. */
  dependencyTimeout: number;
  onDependencyTimeout: 'ready' | 'unready';
  /**
   * haproxy: the next check starts `inter` after the previous one ends, and HAProxy's health
   * counter decides UP/DOWN; kubelet: probes run on a ticker with consecutive-result thresholds.
   */
  checker: 'haproxy' | 'kubelet';
  /** When every server's first check runs; -1: spread as HAProxy or the kubelet does (firstCheckAfterStart()). */
  firstCheck: number;
  /**
   * HAProxy (with `timeout check`): how long it had run at the scenario's 0 (`lb.uptime`), which
   * sets its check tasks' and resolvers task's phases; NaN: unknown (checks from 0, the resolvers'
   * task with the first server's first check). Ignored by the kubelet.
   */
  uptime?: number;
  /** HAProxy's implicit `resolvers default` section exists (/etc/resolv.conf has nameservers). */
  resolvers?: boolean;
  /**
   * HAProxy `http-check disable-on-404`: a 404 from a server not DOWN is a conditional pass that
   * takes it to NOLB (countHealth()); unset: a 404 is a failed check as any status outside 200-399.
   */
  disableOn404?: boolean;
}

interface Pending {
  b: number;
  startedAt: number;
  job: Req | null;
  timer: number;
  done: boolean;
  /** The connection is established (a timeout after it is L7TOUT, before it L4TOUT). */
  connected: boolean;
  /** SYN retransmissions made so far (a full accept queue dropped the earlier SYNs). */
  syn: number;
  /**
   * kubelet: the worker's ticker tick this probe answers (its next tick is a period after it);
   * NaN: a probe the kubelet triggered (probeNow), off the ticker.
   */
  tick: number;
  /** kubelet: the pod (podAdded count) whose worker started this probe. */
  pod: number;
}

/**
 * Periodic health checks of every backend. HAProxy's (src/check.c): a health counter from 0 to
 * `rise + fall − 1` that a failure decrements and drops to 0 (DOWN) once it would go below
 * `rise`, and a success increments and fills (UP) once it reaches `rise`; it starts at `rise`,
 * so one failed check before the first success marks the server DOWN (src/server.c
 * `new_server()`); the next check starts `srv_getinter()` after the previous one ENDS
 * (`process_chk_conn()`): `inter` while fully UP, `downinter` while fully DOWN, `fastinter` in
 * between. A kubelet probe instead runs on a ticker (`period`), and at once when the kubelet
 * triggers it (probeNow), and counts consecutive results (pkg/kubelet/prober/worker.go). An HTTP check is a request served by the app's own
 * workers, so under load it waits in the same queue as real traffic and can time out; a check
 * abandoned at its timeout is still served later (stale work). A TCP check only needs the kernel
 * to complete the handshake: it passes while nginx listens, whatever the app answers.
 */
export class HealthChecker {
  readonly up: Uint8Array;
  /** HAProxy's check->health (haproxy checker only). */
  private readonly health: Int32Array;
  private readonly successes: Int32Array;
  private readonly failures: Int32Array;
  /** CHK_ST_PAUSED: the server is in maintenance, its checks are not run (haproxy checker only). */
  private readonly paused: Uint8Array;
  /**
   * `http-check disable-on-404`: the checks took the server to SRV_ST_STOPPING (NOLB), UP by its
   * health counter yet out of load balancing (haproxy checker only; `up` stays 1).
   */
  private readonly stopping: Uint8Array;
  /**
   * Told when a check answered 404 takes the server to NOLB (check_notify_stopping(), src/check.c);
   * its way back is an ordinary UP (onChange). Set by the balancer's wiring (health.ts).
   */
  onStopping: ((b: number, reason: string, duration: number) => void) | null = null;
  /**
   * kubelet: a ticker tick (its time) that came while the worker was probing, taken when that probe
   * ends (Go's time.Ticker keeps one tick in its channel); NaN: none.
   */
  private readonly tickWaiting: Float64Array;
  /**
   * kubelet: a probeNow() that came while the worker was probing (manualTriggerCh holds one): 1, or
   * 2 when it only resets the ticker (sent within initialDelaySeconds); 0: none.
   */
  private readonly triggerWaiting: Uint8Array;
  /** What every HTTP check request of this policy asks of the app, worked out once. */
  private readonly deep: boolean;
  private readonly depTimeout: number;
  private readonly depTimeoutStatus: Status;

  constructor(
    private readonly w: World,
    private readonly app: AppServer,
    readonly policy: CheckPolicy,
    private readonly onChange: (b: number, up: boolean, reason: string, duration: number) => void,
    initiallyUp = true,
    /** The server pools' `idle_conn_task` (HAProxy http mode): an entry of the check tasks' tree. */
    idleTask: IdleConnTask | null = null,
  ) {
    const n = w.backends.length;
    this.up = new Uint8Array(n).fill(initiallyUp ? 1 : 0);
    this.health = new Int32Array(n).fill(initiallyUp ? policy.rise : 0);
    this.successes = new Int32Array(n);
    this.failures = new Int32Array(n);
    this.paused = new Uint8Array(n);
    this.stopping = new Uint8Array(n);
    this.tickWaiting = new Float64Array(n).fill(Number.NaN);
    this.triggerWaiting = new Uint8Array(n);
    this.tickTimer = new Float64Array(n).fill(-1);
    this.tickAt = new Float64Array(n).fill(Number.NaN);
    this.pod = new Int32Array(n);
    this.deep = policy.endpoint === 'deep';
    this.depTimeout = policy.dependencyTimeout > 0 ? policy.dependencyTimeout : Infinity;
    this.depTimeoutStatus = policy.onDependencyTimeout === 'ready' ? Status.OK : Status.UNAVAILABLE;
    this.connectsToApp = policy.checker === 'haproxy' && w.scenario.lb.mode === 'l7';
    this.synRetransmits = synRetransmitSchedule(
      w.scenario.kernel.tcp_syn_retries,
      w.scenario.kernel.tcp_syn_linear_timeouts,
    ).retransmits;
    // Only `timeout check` lowers a check task's expire below its key: without it every task fires
    // at its expire, as the engine's own timers do, so the tree is kept only with it.
    this.tasks =
      policy.checker === 'haproxy' && policy.connectTimeout !== undefined
        ? new CheckWaitQueue(w.engine, n, (b) => this.taskWoken(b), idleTask)
        : null;
    this.inFlight = new Array<Pending | null>(n).fill(null);
    // HAProxy keeps the session the app sends (check-ssl); the kubelet's Go client keeps none.
    this.tls = new CheckTlsHandshakes(w, app, policy.checker === 'haproxy');
  }

  /** The TLS handshakes of HTTPS checks to a bare app that ends TLS (app/tls.ts). */
  private readonly tls: CheckTlsHandshakes;

  /** HAProxy's check tasks in its shared timer tree (with `timeout check`), else null. */
  private readonly tasks: CheckWaitQueue | null;
  /** The check each backend's task is running (haproxy checker). */
  private readonly inFlight: Array<Pending | null>;

  /**
   * The check task of backend b runs `delay` from now: `t->expire = now + delay` and
   * `task_queue()` (process_chk_conn(), src/check.c) — through the shared tree with `timeout check`.
   */
  private next(b: number, delay: number): void {
    if (this.tasks) this.tasks.queue(b, delay);
    else {
      this.tickTimer[b] = this.w.engine.schedule(delay, this.check, b);
      this.tickAt[b] = this.w.now + delay;
    }
  }

  /** kubelet: each backend's next ticker tick (its engine timer), cancelled when a new pod comes. */
  private readonly tickTimer: Float64Array;
  /** kubelet: when that tick is due (the ticker's phase). */
  private readonly tickAt: Float64Array;

  /**
   * kubelet only: the first tick of backend b's worker after time `t` (≥ now): its ticker ticks
   * every period from its next tick on (a tick at `t` itself counts as before it, as
   * RelistGrid.lagAfter does). A tick that waits for a probe in flight is taken as on time.
   */
  nextTickAfter(b: number, t: number): number {
    const at = this.tickAt[b];
    const inter = this.policy.inter;
    if (at > t + 1e-9) return at;
    return at + (Math.floor((t - at) / inter + 1e-9) + 1) * inter;
  }
  /** kubelet: pods placed on each backend (podAdded): a probe of an earlier pod leaves the ticker alone. */
  private readonly pod: Int32Array;

  /**
   * kubelet only: a new pod on backend b (a rollout's). Its probe workers start with it
   * (pkg/kubelet/prober/prober_manager.go AddPod → worker.go run): the first doProbe at once finds
   * no container in the pod's status yet and returns, then the worker probes on
   * `time.NewTicker(periodSeconds)` from now — a period after the pod's creation, then every
   * period — not on the previous pod's ticker. The run() jitter applies only within a period of
   * the kubelet's own start: left out. A probe of the previous pod still running ends as it would,
   * without scheduling a tick. The kubelet creates the sandbox and starts the container after
   * AddPod; drainsim starts it in the same instant, so this tick is scheduled before the app's
   * start-up timer and a tick at the very time the app starts listening comes first, as it would.
   */
  podAdded(b: number): void {
    if (this.policy.checker !== 'kubelet') return;
    this.pod[b]++;
    this.w.engine.cancel(this.tickTimer[b]);
    this.tickWaiting[b] = Number.NaN;
    this.triggerWaiting[b] = 0;
    this.tickTimer[b] = this.w.engine.schedule(this.policy.inter, this.check, b);
    this.tickAt[b] = this.w.now + this.policy.inter;
  }

  /**
   * The tree's walk woke backend b's task (its expire passed): a check in progress has timed out
   * (process_chk_conn(): `expired` → chk_report_conn_err()), else the next check starts.
   */
  private taskWoken(b: number): void {
    const p = this.inFlight[b];
    if (p && !p.done) this.timedOut(p);
    else this.check(b);
  }

  /** SYN retransmission times of the checking host's kernel (seconds after the first SYN). */
  private readonly synRetransmits: number[];

  /**
   * The check connects where an http-mode balancer's requests go: to the app's own socket. So
   * does every check of a bare app server (proxy: none), a kubelet probe's too: no nginx listens.
   */
  private readonly connectsToApp: boolean;

  /**
   * Whether the checked address answers: the kubelet probes the pod in the slot at its own IP
   * (hostUp); the balancer checks the address of its entry, which may still name a deleted pod's
   * released IP (Backend.answersBalancer).
   */
  private answers(backend: World['backends'][number]): boolean {
    return this.policy.checker === 'kubelet' ? backend.hostUp : backend.answersBalancer;
  }

  /** Forget a backend's streak (a restarted container is probed afresh). */
  reset(b: number, up: boolean): void {
    this.up[b] = up ? 1 : 0;
    this.stopping[b] = 0;
    this.health[b] = up ? this.policy.rise : 0;
    this.successes[b] = 0;
    this.failures[b] = 0;
  }

  /**
   * The server enters maintenance (HAProxy 2.6 src/server.c `srv_update_status()`, "Maintenance
   * must also disable health checks"): `CHK_ST_PAUSED` and `check->health = 0`, the server is
   * STOPPED. The check task keeps waking on its `inter` grid without checking
   * (src/check.c `process_chk_conn()`: paused → `reschedule`).
   */
  pause(b: number): void {
    this.paused[b] = 1;
    this.health[b] = 0;
    this.up[b] = 0;
    // "going DOWN for maintenance": next_state SRV_ST_STOPPED, whatever it was (NOLB included).
    this.stopping[b] = 0;
  }

  /**
   * The server leaves maintenance (`srv_update_status()`, "leaving maintenance"): checks resume
   * with `check->health = check->rise` ("start OK but check immediately"), so the server is UP at
   * once, whatever state it is really in, and a single failed check — health rise − 1 < rise →
   * 0 (src/check.c `set_server_check_status()`) — marks it DOWN. The next check runs on the
   * paused task's grid, not at once.
   */
  resume(b: number): void {
    this.paused[b] = 0;
    this.stopping[b] = 0;
    this.health[b] = this.policy.rise;
    this.up[b] = 1;
  }

  /**
   * kubelet only: the kubelet sends on backend b's readiness worker's `manualTriggerCh`
   * (prober_manager.go UpdatePodStatus). The worker's select (pkg/kubelet/prober/worker.go run)
   * takes it as it takes a tick, resets its ticker (manualRun) and probes now, off the ticker —
   * unless `probes` is false: the container is within initialDelaySeconds, so doProbe returns
   * before probing, but the select has reset the ticker all the same. The channel holds one
   * trigger: one sent while the worker is probing is taken as soon as that probe ends, and a second
   * is dropped (the sender's `select ... default`). The result counts as any probe's.
   */
  probeNow(b: number, probes = true): void {
    if (this.policy.checker !== 'kubelet' || this.paused[b]) return;
    if (this.probing(b)) {
      // (Whether the waiting trigger probes is decided at the send: doProbe's own check when it
      // is taken is not modelled; the initial delay rarely ends within one probe.)
      if (this.triggerWaiting[b] === 0) this.triggerWaiting[b] = probes ? 1 : 2;
      return;
    }
    this.manualRun(b, probes);
  }

  /**
   * The worker takes a manual trigger: `probeTicker.Reset(probeTickerPeriod)` before doProbe
   * (worker.go run, the manualTriggerCh case; PR #119089 "shift the periodic timer of
   * ReadinessProbe after manual run", merged after 1.28's code freeze; in 1.35), so its next tick
   * is a period after the trigger is taken, not on its old phase. A tick that had fired meanwhile is
   * dropped with it (a waiting tick is taken before a trigger in takeWaiting; Go 1.23+ timers keep
   * no stale tick after Reset).
   */
  private manualRun(b: number, probes: boolean): void {
    this.w.engine.cancel(this.tickTimer[b]);
    this.tickWaiting[b] = Number.NaN;
    this.tickAt[b] = this.w.now + this.policy.inter;
    this.tickTimer[b] = this.w.engine.schedule(this.policy.inter, this.check, b);
    if (probes) this.begin(b, Number.NaN);
  }

  /** Backend b's probe has started and not ended (kubelet: its worker is inside doProbe). */
  private probing(b: number): boolean {
    const p = this.inFlight[b];
    return p !== null && !p.done;
  }

  /** The checks hold the server in NOLB (`http-check disable-on-404`). */
  isStopping(b: number): boolean {
    return this.stopping[b] === 1;
  }

  /** The server's checks are paused (it is in maintenance). */
  isPaused(b: number): boolean {
    return this.paused[b] === 1;
  }

  start(): void {
    const n = this.w.backends.length;
    const inter = this.policy.inter;
    // The first checks are staggered (firstCheckAfterStart()) unless the scenario sets them.
    // Started `uptime` before 0, a server's next check is on that grid (the checks' drift by their
    // durations is not modelled before 0; each first check passes, so the next comes `inter` later).
    const uptime = this.policy.uptime ?? Number.NaN;
    const first = this.policy.firstCheck;
    const spread = (b: number): number => {
      const at = this.firstCheckAfterStart(b) - (Number.isNaN(uptime) ? 0 : uptime);
      return at >= 0 ? at : at + Math.ceil(-at / inter) * inter;
    };
    if (this.tasks && this.policy.resolvers !== false) {
      // The resolvers task runs at HAProxy's start, in the millisecond its first server's first
      // check does; started before 0 at `uptime`, else taken as that first check (the scenario's
      // first_check, or 0). Its key and the first server's stay locked (both drift ~1 ms a period
      // while checks are answered in 0-3 ms: the trace of NOTES.md item 33), so HAProxy's start
      // itself matters only against the other servers' and the idle task's phases.
      const startedAt = Number.isNaN(uptime) ? Math.max(0, first) : -uptime;
      this.tasks.startResolvers(startedAt);
    }
    for (let b = 0; b < n; b++) this.next(b, first >= 0 ? first : spread(b));
  }

  /**
   * When server b's first check runs after the checker's start. HAProxy (src/check.c
   * `start_checks()` → `start_check_task()`): the k-th of n servers at `mininter × k / n` ms
   * (integer arithmetic), each server's interval being `srv_getinter()` (src/server.c) at its
   * starting health — `rise` ("up, but will fall down at first failure", srv_settings_init()), full
   * health (rise + fall − 1, so `inter`) only with fall 1, else `fastinter` (inter when unset); a
   * server starting in maintenance (health 0, STOPPED: srv_parse_disabled()) `downinter`.
   * `mininter` is the smallest of those intervals of at least SRV_CHK_INTER_THRES (1000 ms,
   * include/haproxy/defaults.h; 0 when none), raised to the server's own. So with `fastinter 250ms`
   * and `fall 2` two servers start 125 ms apart, not inter / 2 (HAProxy 2.6.12: s2's first check
   * 124 ms after s1's, calibration/data/haproxy-holdout6-gcpause-tcheck-http-rt-run1.json). The
   * kubelet: `inter × k / n`.
   */
  private firstCheckAfterStart(b: number): number {
    const n = this.w.backends.length;
    const { inter, fastinter, downinter, fall } = this.policy;
    if (this.policy.checker !== 'haproxy') return (inter * b) / n;
    const atStart = (k: number): number => (this.paused[k] ? downinter : fall === 1 ? inter : fastinter);
    let mininter = 0;
    for (let k = 0; k < n; k++) {
      const own = atStart(k);
      if (own >= 1 && (mininter === 0 || own < mininter)) mininter = own;
    }
    const ms = Math.round(Math.max(mininter, atStart(b)) * 1000);
    return Math.floor((ms * b) / n) / 1000;
  }

  private readonly check = (b: number): void => {
    if (this.paused[b]) {
      // `while (tick_is_expired(t->expire)) t->expire += check->inter` (process_chk_conn()).
      this.next(b, this.policy.inter);
      return;
    }
    // kubelet: a tick while a triggered probe runs waits for it (one probe at a time per worker).
    if (this.policy.checker === 'kubelet' && this.probing(b)) {
      this.tickWaiting[b] = this.w.now;
      return;
    }
    this.begin(b, this.w.now);
  };

  /** Start a check of backend b: a tick of the ticker at `tick`, or (NaN) a triggered probe. */
  private begin(b: number, tick: number): void {
    const w = this.w;
    const backend = w.backends[b];
    const p: Pending = {
      b,
      startedAt: w.now,
      job: null,
      timer: -1,
      done: false,
      connected: false,
      syn: 0,
      tick,
      pod: this.pod[b],
    };
    this.inFlight[b] = p;
    // A check's connect() returns EINPROGRESS (a refusal arrives as an error on the socket, an
    // established connection as I/O), so the task is queued at its connect deadline before any
    // outcome below; the outcome ends the check from the I/O tasklet (finish()).
    this.waitForConnect(p);
    if (!this.answers(backend)) return this.unanswered(p);
    // Refused (RST to the SYN): L4CON (src/check.c chk_report_conn_err()). In http mode the
    // balancer connects to the app itself, as its requests do (l7-dispatch.ts): a killed app refuses.
    // A draining gunicorn gthread worker's listener stays open (app-process.ts
    // keepsListenerDraining): a tcp check still passes, an HTTP check's request waits unread
    // (AppServer.park) until its timeout.
    if (!backend.nginx.listening || ((this.connectsToApp || backend.bare) && !backend.app.listening))
      return this.finish(p, false, 'Layer4 connection problem, info: "Connection refused"');
    if (this.policy.type === 'tcp') {
      this.established(p);
      return this.finish(p, true, 'Layer4 check passed');
    }
    if (!backend.app.listening) {
      this.established(p);
      return this.finish(p, false, 'Layer7 wrong status, code: 502');
    }
    const job = new Req(this.answered);
    job.fixedService = backend.app.config.health_check_time;
    job.deep = this.deep;
    job.depTimeout = this.depTimeout;
    job.depTimeoutStatus = this.depTimeoutStatus;
    p.job = job;
    this.sendSyn(p);
  }

  /**
   * A started check's task sleeps until the connect deadline (tcpcheck_eval_connect(): `t->expire`),
   * queued when process_chk_conn() returns.
   */
  private waitForConnect(p: Pending): void {
    this.tasks?.queue(p.b, this.connectDeadline(p) - p.startedAt);
  }

  /** When the check's connect must have completed (`t->expire` of tcpcheck_eval_connect()). */
  private connectDeadline(p: Pending): number {
    return p.startedAt + (this.policy.connectTimeout ?? this.policy.timeout);
  }

  /**
   * When a connected check that got no answer fails (L7TOUT) without `timeout check` (or a
   * kubelet probe): `inter` (the probe's timeout) from its start. With `timeout check` the
   * connected check sets its task's expire to now + timeout check from the connection's I/O
   * tasklet (tcpcheck_eval_connect() re-run by tcpcheck_main() from wake_srv_chk(), src/check.c)
   * without requeueing it: the shared tree (CheckWaitQueue) decides when that expire is read —
   * at its key, min(inter, timeout connect) from the start, unless an earlier walk reaches it.
   * Alone in the tree it waits for the key: HAProxy 2.6.12, inter 1s, timeout check 300ms, a
   * SIGSTOPped server, one server checked: "Layer7 timeout, check duration: 1001ms"
   * (calibration/data/haproxy-holdout-hang-tcheck-http.json).
   */
  private answerDeadline(p: Pending): number {
    return p.startedAt + this.policy.timeout;
  }

  /**
   * The check's SYN reaches the app's listener. A full accept queue drops it and the checking
   * host's kernel retransmits it on Linux's schedule, until the connect deadline ends the check
   * with L4TOUT (chk_report_conn_err(): expired while CO_FL_WAIT_L4_CONN). Once accepted, the
   * request waits for the app until answerDeadline().
   */
  private sendSyn(p: Pending): void {
    const w = this.w;
    const backend = w.backends[p.b];
    const deadline = this.connectDeadline(p);
    // Both accept-queue checks of the app's listener (app-listener.ts). Simplified: the checking
    // host's SYN timer fires on the exact schedule here, not on its timer wheel, so its SYNs come
    // in no batch and their final ACK meets the queue as the SYN did.
    const handshake = this.app.listener.handshake(
      backend,
      p.syn > 0,
      this.w.scenario.clients.rtt,
      this.senderClock(backend),
      this.listenerSender,
      p,
    );
    if (handshake === Handshake.SYN_DROPPED) {
      w.metrics.inc(w.c.synDrops, p.b);
      const retransmitAt = p.startedAt + (this.synRetransmits[p.syn++] ?? Infinity);
      // The retransmissions are the kernel's; the deadline is the check task's (its tree entry).
      if (retransmitAt < deadline) p.timer = w.engine.at(retransmitAt, this.synRetry, p);
      else if (!this.tasks) p.timer = w.engine.at(deadline, this.timedOut, p);
      return;
    }
    this.established(p);
    if (!this.tasks) p.timer = w.engine.at(this.answerDeadline(p), this.timedOut, p);
    this.pending.set(p.job!, p);
    if (handshake === Handshake.CHILD) this.submitCheck(backend, p);
  }

  /**
   * The check's request on the connection the app's listener made just now; an HTTPS check (a bare
   * app that ends TLS) handshakes first (app/tls.ts CheckTlsHandshakes), the request one round
   * trip after the app's flight, unless the check has ended meanwhile.
   */
  private submitCheck(backend: Backend, p: Pending): void {
    const job = p.job!;
    if (!this.tls.endsIn(backend)) return this.app.submitOnAccept(backend, job);
    this.tls.submit(backend, job, this.w.scenario.clients.rtt, () => {
      if (!p.done) return true;
      // Timed out during the handshake: the request is never sent, nothing will answer it.
      this.pending.delete(job);
      return false;
    });
  }

  /**
   * The check's connection is up: a later timeout is L7TOUT, and with `timeout check` the task's
   * expire becomes now + timeout check, unqueued (tcpcheck_eval_connect() re-run once connected).
   */
  private established(p: Pending): void {
    p.connected = true;
    this.tasks?.setExpire(p.b, this.policy.timeout);
  }

  /** The checking kernel's jiffies: HAProxy's host (the balancer's), else the node's own (kubelet). */
  private senderClock(backend: Backend): JiffiesClock {
    const lb = this.w.lbHost;
    return this.policy.checker === 'haproxy' && lb !== null ? lb.host.clock : backend.host.clock;
  }

  /**
   * A check whose final ACK the app's full accept queue dropped: connected (a later timeout is
   * L7TOUT), its request sent, served once the child is made; a reset (its request sock expired)
   * is the connection problem HAProxy reports (chk_report_conn_err).
   */
  private readonly listenerSender: ListenerSender<Pending> = { ackWaiter: (p) => this.ackWaiter(p) };

  private ackWaiter(p: Pending): AckWaiter {
    return {
      waiting: () => !p.done,
      admitted: () => this.submitCheck(this.w.backends[p.b], p),
      reset: () => {
        this.pending.delete(p.job!);
        this.w.engine.cancel(p.timer);
        this.finish(p, false, 'Layer4 connection problem, info: "Connection reset by peer"');
      },
    };
  }

  private readonly synRetry = (p: Pending): void => {
    if (p.done) return;
    const backend = this.w.backends[p.b];
    // The server went away between two SYNs: refused now, or silent until the deadline.
    if (!this.answers(backend)) return this.unanswered(p);
    if (!backend.nginx.listening || ((this.connectsToApp || backend.bare) && !backend.app.listening))
      return this.finish(p, false, 'Layer4 connection problem, info: "Connection refused"');
    this.sendSyn(p);
  };

  /**
   * Nothing answers the check's SYNs at the checked address: the connect deadline ends the check
   * (L4TOUT), unless the address is a deleted pod's under a bridge CNI (lb/gone-addresses.ts),
   * whose failed ARP lookup answers the SYN with ICMP host unreachable first: the connect fails
   * with EHOSTUNREACH, an error on the socket while the connection waits for L4, which HAProxy
   * reports as L4CON with the errno's text (src/check.c chk_report_conn_err: CO_FL_ERROR with
   * CO_FL_WAIT_L4_CONN → HCHK_STATUS_L4CON, strerror(errno)). The kubelet probes the pod's own
   * address, never a gone one.
   */
  private unanswered(p: Pending): void {
    const w = this.w;
    const deadline = this.connectDeadline(p);
    const unreachableIn =
      this.policy.checker === 'kubelet' ? Number.POSITIVE_INFINITY : w.lb.goneAddresses.unreachableIn(p.b, w.now);
    if (w.now + unreachableIn < deadline) p.timer = w.engine.schedule(unreachableIn, this.hostUnreachable, p);
    else if (!this.tasks) p.timer = w.engine.at(deadline, this.timedOut, p);
  }

  private readonly hostUnreachable = (p: Pending): void => {
    this.finish(p, false, 'Layer4 connection problem, info: "No route to host"');
  };

  private readonly pending = new Map<AppJob, Pending>();

  private readonly answered = (job: AppJob): void => {
    const p = this.pending.get(job);
    if (!p) return;
    this.pending.delete(job);
    if (p.done) {
      this.w.metrics.inc(this.w.c.wasted, p.b);
      return;
    }
    this.w.engine.cancel(p.timer);
    const code = this.responseCode(p.b, job.status);
    if (code === 404 && this.acceptsAsStopping(p.b)) return this.finish(p, true, STOPPING_404, true);
    const ok = code === Status.OK;
    this.finish(p, ok, ok ? `Layer7 check passed, code: 200` : failedCheckReason(code));
  };

  /**
   * The status line the check read: the workers' answer, unless the app's health endpoint answers
   * otherwise — 404 for the maintenance file, the shutdown's 503 or 404 in its lame-duck delay
   * (app-process.ts healthAnswer; read when the answer leaves, the check's few milliseconds of
   * service being too short to matter). Behind nginx the check reaches the app through it and
   * nginx passes the app's status on. A connection closed or reset without a response stays what
   * it is.
   */
  private responseCode(b: number, status: Status): number {
    if (status === Status.NO_RESPONSE || status === Status.RESET) return status;
    const answer = this.w.backends[b].app.healthAnswer;
    return answer === 200 ? status : answer;
  }

  /**
   * `http-check disable-on-404` takes a 404 as "stopping" only from a server whose next_state is
   * not SRV_ST_STOPPED (tcpcheck_eval_expect_http() and tcpcheck_main(), v2.6.0 src/tcpcheck.c:
   * "404 may be accepted as "stopping" only if the server was up"): a DOWN server's 404 — one
   * climbing back through `rise` included — is checked against `expect status 200-399` and fails.
   * The kubelet has no such rule: its HTTP probe fails on any status >= 400.
   */
  private acceptsAsStopping(b: number): boolean {
    return this.policy.disableOn404 === true && this.policy.checker === 'haproxy' && this.up[b] === 1;
  }

  private readonly timedOut = (p: Pending): void => {
    // The check request may still sit in the app's queue: it will be served for nobody.
    if (p.job && p.job.phase === ReqPhase.NONE) this.pending.delete(p.job);
    // No connection (a vanished host's or a full accept queue's SYNs go unanswered): L4TOUT;
    // connected, no reply: L7TOUT.
    this.finish(p, false, p.connected ? 'Layer7 timeout' : 'Layer4 timeout');
  };

  /** `conditional`: HCHK_STATUS_L7OKCD, a pass that asks for NOLB (disable-on-404's 404). */
  private finish(p: Pending, ok: boolean, reason: string, conditional = false): void {
    const w = this.w;
    if (p.done) return;
    p.done = true;
    const b = p.b;
    const duration = w.now - p.startedAt;
    // `task_set_affinity(t, MAX_THREADS_MASK)` (process_chk_conn(), label `end`): a check ended by
    // I/O is still queued and moves to its current expire, where next()'s later expire leaves it.
    this.tasks?.requeueAtExpire(b);
    if (this.paused[b]) {
      // A check that was running when the server entered maintenance: its result changes no
      // state (`srv_set_running/stopped()` return in MAINT; health is reset on leaving it), but
      // set_server_check_status() (v2.6.0 src/check.c) still counts a pass — nothing there tests
      // for maintenance — so srv_getinter() (src/server.c) sees health above 0 and gives
      // fastinter (inter at full health), not downinter; a failure finds health 0 and counts
      // nothing (review37/tests25).
      if (ok) this.raiseHealth(b);
      if (!Number.isNaN(p.tick) && p.pod === this.pod[b]) this.next(b, this.nextInterval(b));
      return;
    }
    if (!ok) w.metrics.inc(w.c.checkFailures, b);
    if (this.policy.checker === 'kubelet') {
      // kubelet: a ticker, whatever the probe took; a triggered probe's end leaves it where the
      // trigger's Reset put it (manualRun).
      // A probe started for an earlier pod leaves the new pod's ticker as it is.
      // The ticker is in place before the result is told: a trigger the result causes at once
      // (the readiness sync) resets this ticker, not one about to be replaced.
      if (!Number.isNaN(p.tick) && p.pod === this.pod[b]) {
        this.tickAt[b] = Math.max(p.tick + this.policy.inter, w.now);
        this.tickTimer[b] = w.engine.at(this.tickAt[b], this.check, b);
      }
      this.countConsecutive(b, ok, reason, duration);
      this.takeWaiting(b);
      return;
    }
    this.countHealth(b, ok, reason, duration, conditional);
    this.next(b, this.nextInterval(b));
  }

  /**
   * The kubelet's worker back in its select after a probe: a tick or a trigger that came
   * meanwhile runs now (the tick first: Go picks among ready cases at random; one order is kept).
   */
  private takeWaiting(b: number): void {
    // The result just told may have made the kubelet trigger a probe at once (a NotReady's sync:
    // probeNow → manualRun): the worker is in doProbe again, and what waits stays queued for that
    // probe's end — one probe at a time per worker (worker.go run: one goroutine, one select).
    if (this.probing(b)) return;
    const tick = this.tickWaiting[b];
    if (!Number.isNaN(tick)) {
      this.tickWaiting[b] = Number.NaN;
      this.begin(b, tick);
    } else if (this.triggerWaiting[b]) {
      const probes = this.triggerWaiting[b] === 1;
      this.triggerWaiting[b] = 0;
      this.manualRun(b, probes);
    }
  }

  /**
   * HAProxy's health counter and the state it notifies (v2.6.0 src/check.c: the counter update of
   * set_server_check_status(), then process_chk_conn()'s check_notify_failure / _stopping /
   * _success). A conditional pass (disable-on-404's 404, CHK_RES_CONDPASS) counts as a pass and,
   * health at `rise` or above, takes the server to STOPPING — at once, whatever `fall`
   * (srv_set_stopping() returns only when already STOPPING); a pass then brings a STOPPING server
   * back (srv_set_running(): next_state STOPPING is neither STARTING nor RUNNING), logged UP.
   */
  private countHealth(b: number, ok: boolean, reason: string, duration: number, conditional = false): void {
    const { rise } = this.policy;
    const h = this.health[b];
    if (ok) {
      this.raiseHealth(b);
      if (this.health[b] < rise) return;
      if (conditional) {
        if (this.stopping[b]) return;
        this.stopping[b] = 1;
        this.onStopping?.(b, reason, duration);
        return;
      }
      if (this.up[b] && !this.stopping[b]) return;
      this.up[b] = 1;
      this.stopping[b] = 0;
      this.onChange(b, true, reason, duration);
      return;
    }
    if (h > rise) {
      this.health[b] = h - 1;
      return;
    }
    this.health[b] = 0;
    if (this.up[b]) {
      // srv_set_stopped() from RUNNING or STOPPING alike: "is DOWN".
      this.up[b] = 0;
      this.stopping[b] = 0;
      this.onChange(b, false, reason, duration);
    }
  }

  /** set_server_check_status()'s pass: health + 1, and straight to rise + fall − 1 once it reaches rise ("OK now"). */
  private raiseHealth(b: number): void {
    const { rise, fall } = this.policy;
    const full = rise + fall - 1;
    const h = this.health[b];
    if (h < full) this.health[b] = h + 1 >= rise ? full : h + 1;
  }

  /** `srv_getinter()` (src/server.c): inter when fully UP, downinter when fully DOWN, else fastinter. */
  private nextInterval(b: number): number {
    const h = this.health[b];
    if (h >= this.policy.rise + this.policy.fall - 1) return this.policy.inter;
    if (h === 0) return this.policy.downinter;
    return this.policy.fastinter;
  }

  /** Kubernetes thresholds: `success_threshold` / `failure_threshold` consecutive results. */
  private countConsecutive(b: number, ok: boolean, reason: string, duration: number): void {
    const { rise, fall } = this.policy;
    if (ok) {
      this.failures[b] = 0;
      this.successes[b]++;
      if (!this.up[b] && this.successes[b] >= rise) {
        this.up[b] = 1;
        this.onChange(b, true, reason, duration);
      }
    } else {
      this.successes[b] = 0;
      this.failures[b]++;
      if (this.up[b] && this.failures[b] >= fall) {
        this.up[b] = 0;
        this.onChange(b, false, reason, duration);
      }
    }
  }
}

/**
 * A 404 under `http-check disable-on-404`: HCHK_STATUS_L7OKCD, no description (src/tcpcheck.c
 * tcpcheck_main(): `set_server_check_status(check, HCHK_STATUS_L7OKCD, NULL)`), so
 * srv_append_status() writes its status text and code only.
 */
const STOPPING_404 = 'Layer7 check conditionally passed, code: 404';

/**
 * Why an answered check failed, as HAProxy logs it. A bare app server (proxy: none) killed under
 * the check closes the connection with nothing sent: "TCPCHK got an empty response"
 * (tcpcheck_eval_recv(), src/tcpcheck.c: HCHK_STATUS_L7RSP, "Layer7 invalid response"), or resets
 * it when it had not read the check yet. The step is the receiving rule's: `option httpchk`'s
 * send rule has index 0 and check_proxy_tcpcheck() appends the implicit `http-check expect status
 * 200-399` with index send + 1, so tcpcheck_get_step_id() (index + 1) gives 2 (the implicit
 * connect inserted before them keeps index 0 and reads as step 0).
 */
function failedCheckReason(status: number): string {
  if (status === Status.NO_RESPONSE) return 'Layer7 invalid response, info: "TCPCHK got an empty response at step 2"';
  // Reset with the check unread: an I/O error once connected (chk_report_conn_err(), src/check.c: SOCKERR).
  if (status === Status.RESET) return 'Socket error, info: "Connection reset by peer"';
  return `Layer7 wrong status, code: ${status}`;
}
