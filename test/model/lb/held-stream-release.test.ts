/**
 * Streams HAProxy (mode tcp, lb.mode l4) keeps after their client closed towards a vanished server
 * (core/held-streams.ts) end before their read timeout in two ways: the VM booting again, whose
 * new kernel answers the next retransmission with an RST (tcp_v4_send_reset(),
 * net/ipv4/tcp_ipv4.c; the copies follow tcp_retransmit_timer()'s backoff from the unacknowledged
 * send), and the old process exiting one second after a reload's hard stop (hard_stop(),
 * src/proxy.c: they resist stream_shutdown(), which skips a stream whose request side is shut).
 * `shutdown sessions` and on-marked-down shutdown-sessions leave them (stream_shutdown() again).
 */
import { describe, expect, it } from 'vitest';
import { lineOf } from '../../../sim/trace/catalog.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt } from '../helpers.js';
import { vanishL4 } from './vanish-l4.js';

const vanish = vanishL4;

describe('held streams of a vanished server end early', () => {
  it('the VM booting again resets them at the next retransmission (RTO backoff from the request)', () => {
    // No timeout server: without the reboot they would last until tcp_retries2 (924.6 s).
    const r = run(vanish({}, [{ at: '20s', do: 'bind', backend: 'vm-a' }], '40s'), 1);
    const held = valueAt(r, 'active_conn', 19, 'vm-a');
    expect(held).toBeGreaterThan(3);
    const resets = recordsOf(r, 'lb.server_side_timeout');
    expect(resets.length).toBeGreaterThan(0);
    expect(resets.every((x) => x.cause === 'reset')).toBe(true);
    // Requests written at 5–5.2 s, RTO 1 ms + 200 ms = 51 jiffies (204 ms at HZ 250): copies at
    // 1, 2, 4 … 128 RTOs (26.1 s) after the request, each firing late on the timer wheel by up to
    // its level's granularity (8 firings: ≤ 0.87 s in all) — the first after the 20-s boot goes
    // at 31.1–32.0 s, and its RST is back 1 ms later.
    expect(resets[0].t).toBeGreaterThan(31.1);
    expect(resets[0].t).toBeLessThan(32.1);
    expect(resets[0].after).toBeGreaterThan(26.1);
    expect(resets[0].after).toBeLessThan(27);
    expect(lineOf(resets[0])).toMatch(
      /^vm-a: stream of a departed client reset by the rebooted server after 26\.\d+s of silence$/,
    );
    // Until then they stay (nothing else reaches vm-a: its checks have not brought it UP yet).
    expect(valueAt(r, 'active_conn', 31, 'vm-a')).toBe(held);
    expect(valueAt(r, 'active_conn', 33, 'vm-a')).toBe(0);
  });

  it('no RST when the host vanished again before the copy reached it', () => {
    const again = { at: '25s', do: 'terminate', backend: 'vm-a', mode: 'vanish' };
    const r = run(vanish({}, [{ at: '20s', do: 'bind', backend: 'vm-a' }, again], '40s'), 1);
    expect(recordsOf(r, 'lb.server_side_timeout')).toHaveLength(0);
    expect(valueAt(r, 'active_conn', 40, 'vm-a')).toBe(valueAt(r, 'active_conn', 19, 'vm-a'));
  });

  it('a read timeout due before the next copy still ends them by the timeout', () => {
    // timeout server 12 s: due at 17–17.2 s; back at 14 s, the next copy (≈ 18.1 s) comes too late.
    const r = run(vanish({ timeout_server: '12s' }, [{ at: '14s', do: 'bind', backend: 'vm-a' }], '25s'), 1);
    const ended = recordsOf(r, 'lb.server_side_timeout');
    expect(ended.length).toBeGreaterThan(0);
    expect(ended.every((x) => x.cause === 'timeout' && x.after === 12)).toBe(true);
  });

  it('the old process exits one second after its hard stop, with them', () => {
    const r = run(vanish({ hard_stop_after: '5s' }, [{ at: '8s', do: 'lb_reload' }], '20s'), 1);
    const held = valueAt(r, 'active_conn', 12, 'vm-a');
    expect(held).toBeGreaterThan(3);
    const [stop, exit] = recordsOf(r, 'lb.hard_stop');
    expect(stop.t).toBeCloseTo(13, 6);
    expect(stop.exiting).toBeUndefined();
    // hard_stop() skipped them: still there at 13.5 s.
    expect(valueAt(r, 'active_conn', 13, 'vm-a')).toBe(held);
    expect(exit.t).toBeCloseTo(14, 6);
    expect(exit.exiting).toBe(true);
    expect(exit.streams).toBe(held);
    expect(lineOf(exit)).toBe(
      `Some tasks resisted to hard-stop, exiting now: ${held} streams of departed clients closed`,
    );
    expect(valueAt(r, 'active_conn', 15, 'vm-a')).toBe(0);
    expect(recordsOf(r, 'lb.server_side_timeout')).toHaveLength(0);
  });

  it('shutdown sessions and on-marked-down shutdown-sessions leave them (stream_shutdown skips a shut request side)', () => {
    // Checks take vm-a DOWN at ≈ 16 s (their own timeouts first).
    const input = vanish({}, [{ at: '9s', do: 'shutdown_sessions', backend: 'vm-a' }], '18s');
    const r = run({ ...input, health_check: { ...input.health_check!, on_marked_down: 'shutdown-sessions' } }, 1);
    const held = valueAt(r, 'active_conn', 8, 'vm-a');
    expect(held).toBeGreaterThan(3);
    const shut = recordsOf(r, 'lb.shutdown_sessions');
    expect(shut.map((x) => x.cause)).toEqual(['command', 'down']);
    expect(shut.map((x) => x.streams)).toEqual([0, 0]);
    expect(valueAt(r, 'active_conn', 18, 'vm-a')).toBe(held);
  });
});
