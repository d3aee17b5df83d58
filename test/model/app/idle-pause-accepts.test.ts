/**
 * A stop-the-world pause on an idle event loop: a stopped process runs nothing, so it accept()s
 * nothing. The connections made during the pause wait in the kernel's accept queue, which fills
 * to min(backlog, somaxconn) + 1; the SYNs beyond are dropped (tcp_conn_request(),
 * net/ipv4/tcp_input.c: sk_acceptq_is_full → ListenOverflows) and retransmitted. The model
 * accepted them at once when the pause began with no job running (the loop was not "in an
 * iteration"); now the pause is the loop's iteration, ended by the resume as any other.
 */
import { describe, expect, it } from 'vitest';
import { EventLoopAccepts } from '../../../sim/model/app/event-loop-accepts.js';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/** A bare node app behind lb.mode l4, idle, paused 2 s at 5 s while 150 new clients a second connect (300). */
function idlePauseBurst(): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 0, requests_per_connection: 'const(1)', think_time: 'const(1s)', retries: 0 },
    },
    app: { workers: 1, service_time: 'const(1ms)', backlog: 128, keepalive_timeout: '60s' },
    lb: { mode: 'l4', balance: 'roundrobin', connect_timeout: '10s', retries: 3 },
    backends: [{ name: 'vm-a', proxy: 'none' }],
    timeline: [
      { at: '5s', do: 'pause', backend: 'vm-a', duration: '2s' },
      { at: '5s', do: 'load', http_rate: 150 },
      { at: '7s', do: 'load', http_rate: 0 },
    ],
  } as ScenarioInput;
}

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

describe('a pause on an idle event loop accepts nothing', () => {
  it('the pause is one long iteration: connections made in it wait for its end', () => {
    const loop = new EventLoopAccepts();
    loop.stopped();
    expect(loop.running).toBe(true);
    for (let i = 0; i < 3; i++) loop.queued();
    expect(loop.pending).toBe(3);
    expect(loop.resumed()).toBe(true);
    expect(loop.endsIteration).toBe(true);
    // Its end accepts one (the next poll), as any iteration's end does.
    loop.jobDone(0);
    expect(loop.resumed()).toBe(false);
    // A pause inside a running iteration just lengthens it.
    const busy = new EventLoopAccepts();
    busy.jobStarted();
    busy.stopped();
    expect(busy.resumed()).toBe(false);
  });

  it('300 connects in a 2-s pause, backlog 128: SYNs dropped, every request served after the pause', () => {
    const r = run(idlePauseBurst());
    // ~275 connects (Poisson) in the pause, 129 queued: the rest dropped once (old code: 0, each accepted at once).
    expect(fig(r, 'syn_drops.total')).toBeGreaterThan(100);
    expect(fig(r, 'requests.total')).toBe(fig(r, 'new_conn.total'));
    expect(fig(r, 'requests.total')).toBeGreaterThan(250);
    expect(fig(r, 'errors.total')).toBe(0);
    // Each waited for the pause's end (or its SYN's retransmit 1 s after).
    expect(fig(r, 'request_latency.p50')).toBeGreaterThan(0.5);
  });
});
