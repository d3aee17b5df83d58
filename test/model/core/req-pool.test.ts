/**
 * Recycled open-loop request records (core/request.ts ReqPool, issue 14): a record comes back
 * only when the client and the balancer both let go of it, comes back exactly as a new one, and a
 * run with recycling computes what a run without it computes. Under `ReqPool.debug` a released
 * record is frozen and never reused, so a timer, queue or balancer structure that still used one
 * would throw (strict-mode write to a frozen object) instead of silently reading another request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type AppJob, ReqPhase } from '../../../sim/model/core/app-job.js';
import { JobList } from '../../../sim/model/core/job-list.js';
import { HOLD_BALANCER, HOLD_CLIENT, POISON, Req, ReqPool } from '../../../sim/model/core/request.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

const notSent = (_job: AppJob): void => {};
const BOTH = HOLD_CLIENT | HOLD_BALANCER;

/** Every field of a record except the pool's own bookkeeping. */
function fields(req: Req): Record<string, unknown> {
  const { pool: _pool, holds: _holds, ...rest } = req as unknown as Record<string, unknown>;
  return rest;
}

/** Some other value of the same type. */
function scribbled(v: unknown): unknown {
  if (typeof v === 'number') return 12345.5;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'function') return () => {};
  return { stale: 1 };
}

afterEach(() => {
  ReqPool.debug = false;
});

describe('ReqPool', () => {
  it('hands a record back only when both holders let go, and then reuses it as new', () => {
    const pool = new ReqPool(notSent);
    const req = pool.take(BOTH);
    req.letGo(HOLD_CLIENT);
    expect(pool.idle).toBe(0);
    req.letGo(HOLD_BALANCER);
    expect(pool.idle).toBe(1);
    expect(pool.take(BOTH)).toBe(req);
  });

  it('resets every field a new record has (a field added to Req but not to reset() fails here)', () => {
    const pool = new ReqPool(notSent);
    const req = pool.take(BOTH);
    // Scribble over every own field, whatever its type.
    const r = req as unknown as Record<string, unknown>;
    // Not the app's own fields: a record in an app cannot be released (next test).
    const kept = ['pool', 'holds', 'phase', 'inList', 'indexInList'];
    for (const [k, v] of Object.entries(req)) if (!kept.includes(k)) r[k] = scribbled(v);
    req.letGo(HOLD_CLIENT);
    req.letGo(HOLD_BALANCER);
    const again = pool.take(BOTH);
    expect(again).toBe(req);
    expect(fields(again)).toEqual(fields(new Req(notSent)));
    expect(again.onDone).toBe(notSent);
  });

  it('refuses to release a record an app still queues or serves', () => {
    const pool = new ReqPool(notSent);
    const queued = pool.take(BOTH);
    queued.phase = ReqPhase.QUEUED;
    queued.letGo(HOLD_CLIENT);
    expect(() => queued.letGo(HOLD_BALANCER)).toThrow(/still in an app/);
    const serving = pool.take(BOTH);
    new JobList().add(serving);
    serving.letGo(HOLD_BALANCER);
    expect(() => serving.letGo(HOLD_CLIENT)).toThrow(/still in an app/);
    expect(pool.idle).toBe(0);
  });

  it('refuses a holder letting go twice', () => {
    const req = new ReqPool(notSent).take(BOTH);
    req.letGo(HOLD_CLIENT);
    expect(() => req.letGo(HOLD_CLIENT)).toThrow(/let go of this request already/);
  });

  it('debug: a released record is frozen, so any later write (use after release) throws', () => {
    ReqPool.debug = true;
    const pool = new ReqPool(notSent);
    const req = pool.take(BOTH);
    req.letGo(HOLD_BALANCER);
    req.abandoned = true; // still held by the client: fine
    req.letGo(HOLD_CLIENT);
    expect(() => {
      req.serverTimer = 7;
    }).toThrow(TypeError);
    expect(pool.idle).toBe(0);
    expect(pool.take(BOTH)).not.toBe(req);
  });

  it('debug: a released record reads poisoned numbers (a stale read sees a real server, not -1)', () => {
    ReqPool.debug = true;
    const req = new ReqPool(notSent).take(BOTH);
    req.streamServer = -1; // what every release path leaves: a stale read would look harmless
    req.letGo(HOLD_CLIENT);
    req.letGo(HOLD_BALANCER);
    expect(req.streamServer).toBe(POISON);
    expect(req.backend).toBe(POISON);
    // A dead `timeout server` entry's token is compared after release by design: left as it was.
    expect(req.serverTimer).toBe(-1);
  });

  it('records that are not pooled (health checks, keep-alive streams) ignore letGo', () => {
    const req = new Req(notSent);
    req.letGo(HOLD_BALANCER);
    req.letGo(HOLD_BALANCER);
    req.abandoned = true;
    expect(req.abandoned).toBe(true);
  });
});

/**
 * Open-loop traffic through every way an attempt ends: answered, 5xx retried by the balancer and
 * by the client, the app queue full (503 inside submit), timeout server (504 while the app still
 * holds the request, which later finishes for nobody), timeout queue under maxconn, client
 * timeouts, a stop-the-world pause, a kill -9 (jobs lost with 502), a vanished host (requests
 * never answered), a dead dependency (500s), refused and timed-out connects, and no server left.
 */
function everyEnding(lb: Record<string, unknown>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '40s',
    clients: { requests: { rate: 250, timeout: '1500ms', retries: 2 } },
    app: { workers: 4, queue_limit: 12, service_time: 'exp(mean=12ms)' },
    lb: lb.mode === 'nat' ? lb : { mode: 'l7', retries: 2, redispatch: true, ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
    timeline: [
      { at: '5s', do: 'pause', backend: 'vm-a', duration: '3s' },
      { at: '10s', do: 'terminate', backend: 'vm-b', mode: 'kill' },
      { at: '14s', do: 'bind', backend: 'vm-b' },
      { at: '18s', do: 'dependency', backend: 'vm-c', state: 'down' },
      { at: '22s', do: 'dependency', backend: 'vm-c', state: 'up' },
      { at: '26s', do: 'terminate', backend: 'vm-a', mode: 'vanish' },
      { at: '30s', do: 'bind', backend: 'vm-a' },
      // No server left: the balancer answers 503 itself (or, L4 / NAT, fails the connect).
      { at: '36s', do: 'remove', backend: 'vm-a' },
      { at: '36s', do: 'remove', backend: 'vm-b' },
      { at: '36s', do: 'remove', backend: 'vm-c' },
    ],
  } as ScenarioInput;
}

describe('a run with recycled request records', () => {
  it.each([
    ['timeout server, 5xx retries', { timeout_server: '800ms', retry_on_5xx: true }],
    ['maxconn queue with timeout queue', { maxconn: 3, timeout_queue: '400ms', timeout_server: '1s' }],
    ['no balancer timeouts', {}],
    ['an L4 proxy', { mode: 'l4' }],
    ['a NAT', { mode: 'nat' }],
  ])('%s: computes what a run that never reuses a record computes, and uses no record after release', (_n, lb) => {
    const recycled = run(everyEnding(lb));
    ReqPool.debug = true;
    const frozen = run(everyEnding(lb));
    // Every ending happened (else this test would prove less than it says).
    const f = recycled.figures;
    expect(f['req_timeouts.total'] ?? 0).toBeGreaterThan(0);
    expect(f['req_5xx.total'] ?? 0).toBeGreaterThan(0);
    expect(f['retries.total'] ?? 0).toBeGreaterThan(0);
    expect(f['goodput.total'] ?? 0).toBeGreaterThan(1000);
    expect(frozen.figures).toEqual(recycled.figures);
    expect(frozen.timeline).toEqual(recycled.timeline);
  });
});

/**
 * review14 finding 1: the balancer's place() lets go of a record on many paths (503s, failed
 * connects, an abandoned attempt) while the stream still had a slot to hand on; dispatch() then
 * read the released record's `streamServer` to decide that hand-on (right only because every
 * release leaves -1). Cookie users with `option persist` on full servers (maxconn 2, maxqueue 2)
 * through drain, maint, reloads, a vanish and a kill meet those paths thousands of times; under
 * ReqPool.debug the released record reads POISON (a real server), so such a read changes figures.
 */
it('a stream that let go inside place() hands its slot on without reading the released record', () => {
  const backends = ['vm-a', 'vm-b', 'vm-c'].map((name) => ({ name }));
  const input = {
    warmup: '0s',
    horizon: '30s',
    clients: { requests: { rate: 300, timeout: '500ms', retries: 3, users: 50 } },
    app: { workers: 3, queue_limit: 20, service_time: 'exp(mean=10ms)' },
    lb: {
      mode: 'l7',
      retries: 3,
      redispatch: true,
      sticky: 'cookie',
      persist: true,
      maxconn: 2,
      maxqueue: 2,
      timeout_server: '500ms',
    },
    backends,
    timeline: [
      { at: '3s', do: 'pause', backend: 'vm-a', duration: '2s' },
      { at: '6s', do: 'set_server', backend: 'vm-b', state: 'drain' },
      { at: '8s', do: 'set_server', backend: 'vm-b', state: 'maint' },
      { at: '9s', do: 'set_server', backend: 'vm-b', state: 'ready' },
      { at: '10s', do: 'nginx_reload', backend: 'vm-c' },
      { at: '12s', do: 'nginx_quit', backend: 'vm-c' },
      { at: '13s', do: 'terminate', backend: 'vm-a', mode: 'vanish' },
      { at: '16s', do: 'bind', backend: 'vm-a' },
      { at: '18s', do: 'terminate', backend: 'vm-b', mode: 'kill' },
      { at: '19s', do: 'bind', backend: 'vm-b' },
      { at: '20s', do: 'dependency', state: 'down' },
      { at: '22s', do: 'dependency', state: 'up' },
    ],
  } as ScenarioInput;
  const recycled = run(input, 2);
  ReqPool.debug = true;
  const frozen = run(input, 2);
  expect(recycled.figures['req_5xx.total'] ?? 0).toBeGreaterThan(0);
  expect(frozen.figures).toEqual(recycled.figures);
  expect(frozen.timeline).toEqual(recycled.timeline);
});
