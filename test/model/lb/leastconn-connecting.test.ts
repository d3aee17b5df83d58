/**
 * HAProxy counts a stream in its server's `served` from assignment (sess_change_server(),
 * src/stream.c, from assign_server_and_queue(), src/backend.c), before connect_server() sends the
 * SYN, so leastconn (fwlc_get_next_server(), src/lb_fwlc.c, keyed on `served`) sees streams still
 * connecting. A server whose connects hang (its host vanished, no check yet) holds those streams
 * for `timeout connect`; leastconn then sends new streams to the other server, rather than
 * piling every one onto the server that looks empty.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';
import { scheduledWs } from './scheduled-ws.js';

const CONNECTS = 6;

/** Six WebSocket connects 0.1 s apart from 1 s, vm-a vanished at 0.5 s, no health checks. */
const hangingServer = (): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '10s',
  sample_interval: '1s',
  clients: scheduledWs(Array.from({ length: CONNECTS }, (_, i) => 1 + i / 10)),
  lb: { mode: 'l4', balance: 'leastconn', connect_timeout: '5s', retries: 0 },
  app: { ws: { handshake_time: '0s' } },
  backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  timeline: [{ at: '0.5s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
});

describe('leastconn counts streams still connecting (mode tcp)', () => {
  it('a server whose connects hang gets only its share of new streams', () => {
    const r = run(hangingServer(), 1);
    const failed = r.events.filter((l) => l.record.kind === 'lb.connect_failed');
    // Alternating by served: vm-a takes the 1st, 3rd and 5th stream (ties go round robin).
    // Counting only established flows, vm-a would look empty and take 5 of the 6.
    expect(failed).toHaveLength(CONNECTS / 2);
    for (const f of failed) expect(f.text).toContain('backend=vm-a');
    // The hanging streams are vm-a's `served` while they connect (timeout connect 5 s)…
    expect(valueAt(r, 'active_conn', 3, 'vm-a')).toBe(CONNECTS / 2);
    expect(valueAt(r, 'active_conn', 3, 'vm-b')).toBe(CONNECTS / 2);
    // …and leave it when the connect fails.
    expect(valueAt(r, 'active_conn', 8, 'vm-a')).toBe(0);
  });
});
