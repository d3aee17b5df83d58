/**
 * The nginx keep-alive race at one close, measured with one client (shared by the tests of each
 * way nginx closes an idle connection other than its keepalive timer: proxy/nginx.ts
 * requestCrossesFin). nginx closes at t and its FIN reaches the client rtt/2 later; the client's
 * next request, written at s, reaches nginx rtt/2 after it (clients/http-keepalive.ts send). It
 * is lost (RST, ECONNRESET) if it was written before that FIN arrived and reaches nginx after the
 * close: s ∈ (t − rtt/2, t + rtt/2), one round trip of closes (calibration/nginx/NOTES.md §7:
 * "the window for 1–2 is about one RTT"; net/ipv4/tcp.c __tcp_close, tcp_input.c
 * tcp_rcv_state_process). A close earlier lets the client see the FIN first (a new connection),
 * one later comes once the request reached nginx, which answers it. Moving the close across the
 * request in small steps must show exactly that window: 12–13 steps of 5 ms at a 60-ms round trip
 * (before session 26 the model handed the request to nginx at its write, and lost it only for
 * the rtt/2 of closes before the write: 6–7 steps).
 */
import { expect } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/** The clients' round trip here: the FIN is on its way for 30 ms. */
export const RACE_RTT = 0.06;

/**
 * One keep-alive client (paced: its connection opens at 0 s) to one nginx, a request every
 * `think` answered in 1 ms, no retry, over a 60-ms round trip.
 * `http`, `nginx` and `timeline` are merged in.
 */
export function oneKeepAliveClient(opts: {
  think: string;
  horizon: string;
  http?: Record<string, unknown>;
  nginx?: Record<string, unknown>;
  timeline?: unknown[];
}): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon: opts.horizon,
    sample_interval: '100ms',
    clients: {
      rtt: `${RACE_RTT * 1000}ms`,
      http: {
        arrival_rate: 1,
        arrivals: 'paced',
        requests_per_connection: 'const(1000)',
        think_time: `const(${opts.think})`,
        retries: 0,
        ...opts.http,
      },
    },
    app: { workers: 100, service_time: 'const(1ms)' },
    nginx: { upstream_rtt: '0.1ms', ...opts.nginx },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '0.5s', do: 'load', http_rate: 0 }, ...(opts.timeline ?? [])],
  } as ScenarioInput;
}

/**
 * Closes moved in 5-ms steps of `t` from `from` to `to` (`closeAt(t)`: nginx closes the client's
 * connection at a time that moves with t): which lost the client's request (ECONNRESET). The lost
 * ones must be the closes of the 60 ms (one round trip) around the request's write, the 30 ms
 * before it and the 30 ms it takes to reach nginx: 12 or 13 steps, contiguous, and the step right
 * after them let it be answered (`answers` in all).
 */
export function expectRaceWindow(
  closeAt: (t: number) => ScenarioInput,
  from: number,
  to: number,
  answers: number,
): void {
  const step = 0.005;
  const lost: boolean[] = [];
  const answered: boolean[] = [];
  for (let k = 0; from + k * step <= to + 1e-9; k++) {
    const r = run(closeAt(Math.round((from + k * step) * 1e6) / 1e6), 1);
    lost.push((r.figures['err_econnreset.total'] ?? 0) > 0);
    answered.push((r.figures['responses_2xx.total'] ?? 0) >= answers);
  }
  const hits = lost.flatMap((l, i) => (l ? [i] : []));
  const last = hits.at(-1) ?? -1;
  // Inside the scan, contiguous, spanning one round trip, and right before the answer.
  expect(hits[0]).toBeGreaterThan(0);
  expect(last).toBeLessThan(lost.length - 1);
  expect(last - hits[0] + 1).toBe(hits.length);
  expect(hits.length).toBeGreaterThanOrEqual(Math.floor(RACE_RTT / step));
  expect(hits.length).toBeLessThanOrEqual(Math.floor(RACE_RTT / step) + 1);
  expect(answered[last + 1]).toBe(true);
}
