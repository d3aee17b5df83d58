/**
 * An upstream connection nginx closed before the app's answer (proxy/upstream.ts closeBeforeAnswer)
 * is held in FIN_WAIT2 until the app's late answer (its RST ends both ends: lateAnswer) or
 * tcp_fin_timeout (finTimeout), and its record goes back to the `spare` free list when both ends
 * are closed (closeHeld). Regime: 10 requests in the first second, proxy_read_timeout 1 s, the app
 * answers after 10 s: the late answers free the records at ~11 s, and the tcp_fin_timeout timers
 * armed at the read timeouts still fire at ~61 s. Catches spare34: that timer pushed the record a
 * second time, so two later connections would share it (opened() pops it twice).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UpstreamConn } from '../../../sim/model/core/conn.js';
import { RequestPath } from '../../../sim/model/proxy/upstream.js';
import { run } from '../helpers.js';
import { lateAnswer } from './late-answer-fixture.js';

type WithSpare = { spare: UpstreamConn[] };

/** Wrap RequestPath's method `name` to check its free list after each call; `bad` collects what went wrong. */
function watch(name: string, bad: string[]): void {
  const proto = RequestPath.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const original = proto[name];
  vi.spyOn(proto, name).mockImplementation(function (this: WithSpare, ...args: unknown[]) {
    const out = original.apply(this, args);
    if (new Set(this.spare).size !== this.spare.length) bad.push(`${name}: a record twice in spare`);
    // A record just handed to a connection must not still be free (it would be handed out again).
    if (name === 'opened' && this.spare.includes(out as UpstreamConn)) bad.push('opened: a live record still in spare');
    return out;
  });
}

describe("nginx's upstream record held in FIN_WAIT2", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('goes back to the free list once, whether the late answer or tcp_fin_timeout comes first', () => {
    const bad: string[] = [];
    for (const name of ['closeHeld', 'closeUpstream', 'abortUpstream', 'opened']) watch(name, bad);
    // Late answer (10 s) before tcp_fin_timeout (~61 s); then tcp_fin_timeout before the answer (75 s).
    for (const service of ['10s', '75s']) {
      const r = run(lateAnswer(service, 'read-timeout'), 1);
      expect(r.figures['responses_5xx.total']).toBeGreaterThan(3);
    }
    expect(bad).toEqual([]);
  });
});
