/**
 * The app's lame-duck phase (`app.shutdown_delay`) in its process state: at SIGTERM it keeps
 * SERVING (listener open) while its health endpoint answers the shutdown's status — terminus's
 * `state.isShuttingDown` (503, checked before the health function), lightship's
 * `serverIsShuttingDown` — a flag in the process's memory, so the next process starts healthy.
 */
import { describe, expect, it } from 'vitest';
import { AppProcess, AppState } from '../../../sim/model/app/app-process.js';
import { AppSchema } from '../../../sim/scenario/schema.js';

const app = (): AppProcess => new AppProcess(AppSchema.parse({ shutdown_delay: '6s' }));

describe('app process: the lame-duck phase', () => {
  it('keeps accepting while its health endpoint answers 503; the listener closes at sigterm()', () => {
    const a = app();
    expect(a.enterLameDuck(503)).toBe(true);
    expect([a.state, a.accepting, a.lameDuck, a.healthAnswer]).toEqual([AppState.SERVING, true, true, 503]);
    // A second SIGTERM changes nothing (terminus's cleanup() runs once).
    expect(a.enterLameDuck(404)).toBe(false);
    expect(a.healthAnswer).toBe(503);
    a.sigterm();
    // Draining: no longer in the delay, its health endpoint still failing for a check in flight.
    expect([a.state, a.accepting, a.lameDuck, a.healthAnswer]).toEqual([AppState.DRAINING, false, false, 503]);
  });

  it('the shutdown status wins over the maintenance file (terminus answers it before the health function)', () => {
    const a = app();
    a.setMaintenanceFile(true);
    a.enterLameDuck(503);
    expect(a.healthAnswer).toBe(503);
  });

  it('a process that is not serving does not enter it (a starting one exits at SIGTERM)', () => {
    const a = app();
    a.exit();
    a.starting();
    expect(a.enterLameDuck(503)).toBe(false);
    expect(a.healthAnswer).toBe(200);
  });

  it('the next process starts healthy: after a kill, a restart, a lost host', () => {
    for (const end of ['exit', 'hostLost'] as const) {
      const a = app();
      a.enterLameDuck(404);
      a[end]();
      expect(a.healthAnswer).toBe(200);
      a.start();
      expect([a.healthAnswer, a.lameDuck]).toEqual([200, false]);
    }
    // A container restarted or replaced: boot() starts a new process (app.start()).
    const a = app();
    a.enterLameDuck(503);
    a.start();
    expect([a.healthAnswer, a.lameDuck]).toEqual([200, false]);
  });
});
