/**
 * HAProxy stores persistence with the response, not when the request is sent: `stick on src` (=
 * `stick match` + `stick store-request`) only collects the entry on the request side
 * (process_sticking_rules(), s->store[]) and writes the server into the table in the response
 * analyser AN_RES_STORE_RULES (process_store_rules(), src/stream.c, HAProxy 2.6); a `cookie …
 * insert` goes out in the response's Set-Cookie (http_process_res_common(), src/http_ana.c). A
 * stream that gets no response from its server — HAProxy's own 504 at `timeout server`, a server
 * abort — stores nothing (stream_free() frees the collected entries). Before review52 the model
 * stored both when the request was sent: a user whose first request hung on a server was stuck to
 * it and failed on every request after.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

/**
 * Two servers, no health checks; vm-a hangs for the whole run (a 60-s pause), so every request
 * sent to it ends in HAProxy's 504 after `timeout server` (1 s; a backlog that takes every
 * connection: no connect fails). 200 users, each from its own address, about one request each 5 s.
 */
function hung(sticky: 'source' | 'cookie'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '40s',
    clients: {
      source_ips: 200,
      requests: { rate: 40, timeout: '5s', retries: 0, users: 200, session_store: 'external' },
    },
    app: { workers: 64, backlog: 4096, service_time: 'const(5ms)' },
    lb: { mode: 'l7', sticky, timeout_server: '1s' },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at: '0s', do: 'pause', backend: 'vm-a', duration: '60s' }],
  } as ScenarioInput;
}

describe('persistence is stored with the response (l7)', () => {
  for (const sticky of ['source', 'cookie'] as const) {
    it(`sticky: ${sticky} — a user whose requests got no response is load-balanced again, until one is answered`, () => {
      const r = run(hung(sticky));
      const failed = between(r, 'req_failed', 30, 40);
      const answered = between(r, 'goodput', 30, 40);
      // Each user's unanswered request leaves it free; roundrobin sends its next to vm-b half the
      // time, where its answer sticks it. By 30 s a user has been load-balanced ~6 times: few still
      // fail (6 of 376). Stored at the send (before), half the users stayed stuck to the hung vm-a:
      // 193 failed, 174 answered.
      expect(answered).toBeGreaterThan(300);
      expect(failed).toBeLessThan(0.05 * (failed + answered));
    });
  }
});
