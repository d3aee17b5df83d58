/** The app process's state machine and queue, without a run. */
import { describe, expect, it } from 'vitest';
import { AppProcess, AppState } from '../../../sim/model/app/app-process.js';
import type { AppJob } from '../../../sim/model/core/app-job.js';
import { AppSchema } from '../../../sim/scenario/schema.js';

const app = (): AppProcess => new AppProcess(AppSchema.parse({}));
const view = (a: AppProcess) => ({ state: a.state, up: a.up, accepting: a.accepting, ws: a.acceptsWebSockets });

describe('app process', () => {
  it('SERVING → DRAINING on SIGTERM: up, but its listener closed', () => {
    const a = app();
    expect(view(a)).toEqual({ state: AppState.SERVING, up: true, accepting: true, ws: true });
    a.sigterm();
    expect(view(a)).toEqual({ state: AppState.DRAINING, up: true, accepting: false, ws: false });
  });

  it('exit ends the process and its memory (epoch); a restart goes through STARTING', () => {
    const a = app();
    a.exit();
    expect([a.state, a.epoch, a.up]).toEqual([AppState.DEAD, 1, false]);
    a.starting();
    expect(a.state).toBe(AppState.STARTING);
    a.sigterm();
    expect(a.state).toBe(AppState.STARTING);
    a.start();
    expect(view(a)).toEqual({ state: AppState.SERVING, up: true, accepting: true, ws: true });
  });

  it('a lost host kills the process and its memory (a new epoch, as at exit)', () => {
    const a = app();
    a.hostLost();
    expect([a.state, a.epoch]).toEqual([AppState.DEAD, 1]);
  });

  it('the drain hook refuses WebSocket handshakes while plain requests are still served', () => {
    const a = app();
    a.refuseWebSockets();
    expect(view(a)).toEqual({ state: AppState.SERVING, up: true, accepting: true, ws: false });
    a.start();
    expect(a.acceptsWebSockets).toBe(true);
  });

  it('queues jobs FIFO and compacts without losing order', () => {
    const a = app();
    const jobs = Array.from({ length: 3000 }, (_, i) => ({ backend: i }) as unknown as AppJob);
    for (const j of jobs.slice(0, 2000)) a.enqueue(j);
    const out: AppJob[] = [];
    for (let i = 0; i < 1500; i++) out.push(a.dequeue()!);
    for (const j of jobs.slice(2000)) a.enqueue(j);
    expect(a.queueLength).toBe(1500);
    for (let j = a.dequeue(); j !== undefined; j = a.dequeue()) out.push(j);
    expect(out).toEqual(jobs);
  });
});

describe('a pause belongs to its process', () => {
  it('exit() and hostLost() end a pause in force: the next process starts unpaused', () => {
    const a = app();
    a.pausedUntil = 100;
    a.exit();
    expect(a.pausedUntil).toBe(-Infinity);
    a.pausedUntil = 100;
    a.hostLost();
    expect(a.pausedUntil).toBe(-Infinity);
  });
});
