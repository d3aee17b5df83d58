/**
 * `app.shutdown_delay` (the lame-duck phase of terminus's beforeShutdown sleep and lightship's
 * shutdownDelay): at SIGTERM the app's health endpoint answers `shutdown_health_status` while its
 * listener stays open for the delay; then the SIGTERM's own shutdown runs. HAProxy (`inter 2s
 * fall 3`, s1's checks at 0.7 + 2k s) marks s1 DOWN after three 503s (8.7 s) or, with
 * `http-check disable-on-404`, NOLB at its first 404 (4.7 s) — before the listener closes at 10 s —
 * so no request meets a closed listener. Without the delay the listener closes at the SIGTERM
 * (4 s) and every request sent to s1 until its DOWN meets a refused connect, retried on s1
 * (no redispatch) until HAProxy answers 503. Bare apps (`proxy: none`) and apps behind nginx
 * (the check and its status go through nginx) alike.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

/** Open-loop requests (60/s) through an http-mode balancer to s1 and s2; s1 gets SIGTERM at 4 s. */
function sigterm(
  bare: boolean,
  app: Record<string, unknown>,
  check: Record<string, unknown> = {},
  timeline: ScenarioInput['timeline'] = [{ at: '4s', do: 'terminate', backend: 's1', mode: 'graceful' }],
): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    clients: { requests: { rate: 60, timeout: '8s', retries: 0 } },
    app: {
      workers: 16,
      service_time: 'const(1ms)',
      graceful_shutdown: true,
      ...(bare ? { keepalive_timeout: '6s' } : {}),
      ...app,
    },
    lb: { mode: 'l7', balance: 'roundrobin', retries: 3, connect_timeout: '5s' },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3, first_check: '0.7s', ...check },
    backends: [
      { name: 's1', ...(bare ? { proxy: 'none' } : {}) },
      { name: 's2', ...(bare ? { proxy: 'none' } : {}) },
    ],
    timeline,
  } as ScenarioInput;
}

const failed = (r: RunResult): number => r.figures['req_failed.total'] ?? 0;
const appLines = (r: RunResult): string[] => r.events.filter((e) => e.source === 'app').map((e) => e.text);

for (const bare of [true, false]) {
  describe(`app.shutdown_delay, ${bare ? 'bare app servers (proxy: none)' : 'behind nginx'}`, () => {
    it('without a delay the listener closes at SIGTERM: refused connects fail requests until the DOWN', () => {
      const r = run(sigterm(bare, {}));
      const downs = recordsOf(r, 'hc.down');
      expect(downs).toHaveLength(1);
      expect(downs[0].reason).toContain('Connection refused');
      expect(failed(r)).toBeGreaterThan(100);
      expect(recordsOf(r, 'app.lame_duck')).toHaveLength(0);
    });

    it('6 s of 503: DOWN after fall (8.7 s) before the listener closes (10 s); no request fails', () => {
      const r = run(sigterm(bare, { shutdown_delay: '6s' }));
      const downs = recordsOf(r, 'hc.down');
      expect(downs).toHaveLength(1);
      expect(downs[0].reason).toBe('Layer7 wrong status, code: 503');
      expect(downs[0].t).toBeGreaterThan(8.69);
      expect(downs[0].t).toBeLessThan(8.75);
      const over = recordsOf(r, 'app.lame_duck_over');
      expect(over).toHaveLength(1);
      expect(over[0].t).toBeCloseTo(10, 6);
      expect(failed(r)).toBe(0);
      // s1 kept serving its share until its DOWN, nothing after it.
      expect(between(r, 'goodput', 4, 8, 's1')).toBeGreaterThan(0.4 * 60 * 4);
      expect(between(r, 'goodput', 9, 30, 's1')).toBe(0);
      expect(appLines(r).slice(0, 2)).toEqual([
        `s1: SIGTERM (graceful shutdown on, shutdown delay 6s first)${bare ? ' to the bare app server' : ', nginx graceful quit after the delay'}`,
        's1: shutting down: the health endpoint answers 503, the app keeps accepting for 6s',
      ]);
    });

    it('6 s of 404 with disable-on-404: NOLB at the first check (4.7 s), no fall count; no request fails', () => {
      const r = run(sigterm(bare, { shutdown_delay: '6s', shutdown_health_status: 404 }, { disable_on_404: true }));
      const stopping = recordsOf(r, 'hc.stopping');
      expect(stopping).toHaveLength(1);
      expect(stopping[0].t).toBeGreaterThan(4.69);
      expect(stopping[0].t).toBeLessThan(4.75);
      // DOWN only once the closed listener refuses the checks (10.7, 12.7, 14.7 s).
      const downs = recordsOf(r, 'hc.down');
      expect(downs).toHaveLength(1);
      expect(downs[0].t).toBeGreaterThan(10);
      expect(failed(r)).toBe(0);
      expect(between(r, 'goodput', 5, 30, 's1')).toBe(0);
    });

    it('a 404 without disable-on-404 is a failed check as a 503: DOWN after fall', () => {
      const r = run(sigterm(bare, { shutdown_delay: '6s', shutdown_health_status: 404 }));
      expect(recordsOf(r, 'hc.stopping')).toHaveLength(0);
      const downs = recordsOf(r, 'hc.down');
      expect(downs[0].reason).toBe('Layer7 wrong status, code: 404');
      expect(downs[0].t).toBeLessThan(8.75);
      expect(failed(r)).toBe(0);
    });

    it('a delay shorter than the checks need (3 s < fall x inter) still fails some requests', () => {
      const none = failed(run(sigterm(bare, {})));
      const r = run(sigterm(bare, { shutdown_delay: '3s' }));
      // The 503s at 4.7 and 6.7 s count two of three; the listener closes at 7 s, the third check is refused.
      expect(recordsOf(r, 'hc.down')[0].reason).toContain('Connection refused');
      expect(failed(r)).toBeGreaterThan(10);
      expect(failed(r)).toBeLessThan(none);
    });

    it('kill -9 in the delay: the delay never ends, the kill acts at once; a rebuilt VM starts healthy', () => {
      const r = run(
        sigterm(bare, { shutdown_delay: '6s' }, {}, [
          { at: '4s', do: 'terminate', backend: 's1', mode: 'graceful' },
          { at: '6s', do: 'terminate', backend: 's1', mode: 'kill' },
          { at: '16s', do: 'bind', backend: 's1' },
        ]),
      );
      expect(recordsOf(r, 'app.lame_duck')).toHaveLength(1);
      expect(recordsOf(r, 'app.lame_duck_over')).toHaveLength(0);
      expect(recordsOf(r, 'app.killed')).toHaveLength(1);
      // After the kill the checks are refused: DOWN at the third failed check (4.7, 6.7 answered 503, 8.7 refused).
      const downs = recordsOf(r, 'hc.down');
      expect(downs).toHaveLength(1);
      expect(downs[0].t).toBeLessThan(8.75);
      // The refused connects between the kill (6 s) and the DOWN fail requests, as a kill does.
      expect(failed(r)).toBeGreaterThan(0);
      // The new process answers 200: UP again after rise, and serves.
      const ups = recordsOf(r, 'hc.up');
      expect(ups).toHaveLength(1);
      expect(ups[0].t).toBeGreaterThan(16);
      expect(between(r, 'goodput', 22, 30, 's1')).toBeGreaterThan(0.4 * 60 * 8);
    });

    it('a tcp check still connects during the delay: the listener closes with s1 UP and requests fail', () => {
      const r = run(sigterm(bare, { shutdown_delay: '6s' }, { type: 'tcp' }));
      const downs = recordsOf(r, 'hc.down');
      expect(downs).toHaveLength(1);
      expect(downs[0].t).toBeGreaterThan(10);
      expect(failed(r)).toBeGreaterThan(100);
    });
  });
}
