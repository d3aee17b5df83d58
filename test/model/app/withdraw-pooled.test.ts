/**
 * AppServer.withdraw / orphan refuse a pooled open-loop request record (core/request.ts ReqPool):
 * withdraw leaves a queued job's FIFO entry behind, which a recycled record sent QUEUED to the same
 * backend again would meet and start out of turn (review14 finding 2). Records that are not pooled
 * (connections, health checks) are withdrawn: a stand-in skipped when dequeued keeps their queue place.
 */
import { describe, expect, it } from 'vitest';
import { AppServer } from '../../../sim/model/app/app-server.js';
import { EventLoopAccepts } from '../../../sim/model/app/event-loop-accepts.js';
import { ReqPhase } from '../../../sim/model/core/app-job.js';
import { JobList } from '../../../sim/model/core/job-list.js';
import { HOLD_BALANCER, HOLD_CLIENT, Req, ReqPool } from '../../../sim/model/core/request.js';
import type { VmView } from '../../../sim/model/core/vm-view.js';

const notSent = (): void => {};
/** withdraw() of a job that is not in service touches only the backend's `serving` list. */
const backend = { app: { serving: new JobList() } } as unknown as VmView;
/**
 * The guard comes before any use of the app's own state (no World needed) but the set of queued
 * jobs whose connection no worker has accept()ed (AppServer.unaccepted; `parked`: backend 0's on a
 * listener nobody accept()s from, AppServer.park, none here), which withdraw leaves, and the
 * running jobs' gunicorn worker-timeout starts (AppServer.silentSince, session 34), which it reads.
 */
const bareServer = (): AppServer =>
  Object.assign(Object.create(AppServer.prototype), {
    unaccepted: new Set(),
    parked: [new Set()],
    silentSince: new Map(),
  });
const app = bareServer();

describe('AppServer and pooled request records', () => {
  it('withdraw and orphan throw for a pooled request, leaving it queued', () => {
    const req = new ReqPool(notSent).take(HOLD_CLIENT | HOLD_BALANCER);
    req.phase = ReqPhase.QUEUED;
    expect(() => app.withdraw(backend, req)).toThrow(/pooled request record/);
    expect(() => app.orphan(backend, req)).toThrow(/pooled request record/);
    expect(req.phase).toBe(ReqPhase.QUEUED);
  });

  it('withdraw takes a record that is not pooled out of its queue place: a stand-in skipped when dequeued keeps it', () => {
    // review31 #1: the queue kept the withdrawn record itself, and a client record retired and reused
    // (core/client-records.ts) then started the next client's request from that old place.
    const replaced: [unknown, Req][] = [];
    const queued = {
      index: 0,
      app: {
        serving: new JobList(),
        replaceQueued: (job: unknown, next: Req) => {
          replaced.push([job, next]);
          return true;
        },
      },
    } as unknown as VmView;
    const req = new Req(notSent);
    req.phase = ReqPhase.QUEUED;
    app.withdraw(queued, req);
    expect(req.phase).toBe(ReqPhase.NONE);
    expect(replaced).toHaveLength(1);
    expect(replaced[0]![0]).toBe(req);
    expect(replaced[0]![1]).not.toBe(req);
    expect(replaced[0]![1].phase).toBe(ReqPhase.NONE);
  });
});

describe("AppServer.withdraw on an event loop's last running job", () => {
  it('ends the iteration: the loop is not left "running" with nothing in it', () => {
    const loop = new EventLoopAccepts();
    const serving = new JobList();
    const vm = {
      index: 0,
      busyWorkers: 0,
      appQueueLength: 0,
      app: { serving, loop, config: { workers: 1 }, pausedUntil: Number.NEGATIVE_INFINITY, dequeue: () => undefined },
    } as unknown as VmView;
    const server = bareServer();
    Object.assign(server, { w: { now: 0, engine: { cancel: () => {} } }, anyEventLoop: true, eventLoop: [true] });
    const job = new Req(notSent);
    job.phase = ReqPhase.SERVING;
    serving.add(job);
    loop.jobStarted();
    expect(loop.running).toBe(true);
    server.withdraw(vm, job);
    // Before session 16's fix the iteration waited for a job that would never finish, so every
    // later connection was held for an accept that never came.
    expect(loop.running).toBe(false);
  });
});
