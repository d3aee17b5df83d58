/**
 * HAProxy goes on connecting for a client that gave up (lb/l7-dispatch.ts connectGoesOn): without
 * `option abortonclose` (HAProxy's default) the client's close of a complete request is not read
 * (src/http_ana.c http_end_request(): channel_dont_read()), process_stream() (src/stream.c) passes
 * no close on while connecting, and back_handle_st_con()/back_handle_st_cer() (src/backend.c)
 * abort only on CF_SHUTW_NOW: the SYNs a full accept queue dropped are retransmitted, `timeout
 * connect` is retried, and the request is served when it gets in ("aborted requests will be
 * served", doc/configuration.txt "option abortonclose"). `lb.abortonclose: true` aborts them.
 * Regime: one worker behind a 4-deep accept queue, paused 6 s while 20 req/s arrive with a 1-s
 * client timeout and no client retry: the queue fills in the first 0.25 s of the pause, every
 * later request's SYNs are dropped and its client gives up before the app resumes, within the
 * balancer's 5-s `timeout connect` × 4 attempts. Before this rule the model let each of them go
 * at its client's timeout (as abortonclose does): only the 5 requests in the queue and in service
 * at the pause were served for nobody.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run, scenario } from '../helpers.js';

const regime = (mode: 'l7' | 'l4' | 'nat', abortonclose?: boolean): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '30s',
  sample_interval: '1s',
  clients: { requests: { rate: 20, timeout: '1s', retries: 0 } },
  app: { workers: 1, service_time: 'const(10ms)', backlog: 4 },
  lb: {
    mode,
    connect_timeout: '5s',
    retries: mode === 'nat' ? 0 : 3,
    ...(abortonclose === undefined ? {} : { abortonclose }),
  },
  backends: [{ name: 'vm-a' }],
  timeline: [{ at: '2s', do: 'pause', backend: 'vm-a', duration: '6s' }],
});

const total = (input: ScenarioInput, name: string): number => between(run(input, 1), name, 0, 30);

describe('a connect under way for a client that gave up (no option abortonclose)', () => {
  for (const mode of ['l7', 'l4'] as const) {
    it(`${mode}: every request whose client timed out is served for nobody; abortonclose serves only the 5 already in`, () => {
      const goesOn = run(regime(mode), 1);
      const timeouts = between(goesOn, 'req_timeouts', 0, 30);
      expect(timeouts).toBeGreaterThan(100);
      // The ghosts' SYNs go on being dropped (and retried) until the app resumes, then they get in.
      expect(between(goesOn, 'wasted', 0, 30)).toBe(timeouts);
      const aborts = run(regime(mode, true), 1);
      expect(between(aborts, 'req_timeouts', 0, 30)).toBe(timeouts - 1);
      expect(between(aborts, 'wasted', 0, 30)).toBe(5);
      expect(between(goesOn, 'syn_drops', 0, 30)).toBeGreaterThan(3 * between(aborts, 'syn_drops', 0, 30));
    });
  }

  for (const mode of ['l7', 'l4'] as const) {
    it(`${mode}: a ghost connect that spends its retries tells nobody — each request is one error, its client's timeout`, () => {
      // The client gives up at 0.5 s; the balancer's connect goes on, `timeout connect` 1 s retried
      // once, and fails with the app still paused. HAProxy's 503 (l7) or close (l4) has no client
      // to reach: the stream ends (l7-dispatch.ts connectFailed), no 5xx, no second error, no retry.
      const r = run(
        {
          ...regime(mode),
          clients: { requests: { rate: 20, timeout: '500ms', retries: 0 } },
          lb: { mode, connect_timeout: '1s', retries: 1 },
        },
        1,
      );
      const timeouts = between(r, 'req_timeouts', 0, 30);
      expect(timeouts).toBeGreaterThan(100);
      expect(between(r, 'errors', 0, 30)).toBe(timeouts);
      expect(between(r, 'err_client_timeout', 0, 30)).toBe(timeouts);
      expect(between(r, 'responses_5xx', 0, 30)).toBe(0);
      // Those whose retry got in after the pause are still served for nobody.
      expect(between(r, 'wasted', 0, 30)).toBeGreaterThan(5);
    });
  }

  it('l7: streams HAProxy ended itself (timeout server) leave later streams connecting for clients that gave up', () => {
    // `timeout server` 2 s ends the requests the first pause held (l7-dispatch.ts serverTimedOut:
    // `ended`); a second pause's give-ups are new streams and go on connecting as before — each
    // served for nobody. The ended mark is a stream's, not its pooled record's (letGo drops it).
    const r = run(
      {
        ...regime('l7'),
        horizon: '40s',
        lb: { mode: 'l7', connect_timeout: '5s', retries: 3, timeout_server: '2s' },
        timeline: [
          { at: '2s', do: 'pause', backend: 'vm-a', duration: '6s' },
          { at: '20s', do: 'pause', backend: 'vm-a', duration: '6s' },
        ],
      },
      1,
    );
    const second = between(r, 'req_timeouts', 15, 40);
    expect(second).toBeGreaterThan(100);
    expect(between(r, 'wasted', 15, 40)).toBe(second);
  });

  it('nat: the SYN is the client’s own and ends with its close — only the 5 already in are served', () => {
    expect(total(regime('nat'), 'wasted')).toBe(5);
  });

  it('lb.abortonclose needs a proxy (l4 or l7)', () => {
    expect(() => scenario(regime('nat', false))).toThrow(/abortonclose/);
  });
});
