/**
 * nginx's SYN meeting the app's end of an upstream connection nginx left: after proxy_read_timeout
 * nginx's socket is gone (here at once: tcp_max_tw_buckets 0 refuses its FIN_WAIT2 timewait sock,
 * HostSockets.finWait2Held) while the app's end waits in CLOSE_WAIT for its late answer (10 s).
 * With 20 ports, nginx's connect() soon lands on such a 4-tuple. Linux: the app's kernel sends a
 * challenge ACK (tcp_validate_incoming() → tcp_send_challenge_ack()), nginx's kernel in SYN_SENT
 * answers RST, which resets the app's stale socket, and sends its SYN again TCP_TIMEOUT_MIN
 * (2 jiffies) later: it connects (recorded: calibration/data/kernel-stale-tuple-rt.json). Before,
 * the SYN was refused and retried on the 1-s schedule until the late answers freed the ports.
 */
import { describe, expect, it } from 'vitest';
import { between, run } from '../helpers.js';
import { lateAnswer } from './late-answer-fixture.js';

describe("nginx's SYN on a 4-tuple the app still holds open", () => {
  it('resets the stale app end and connects 2 jiffies later: every request is answered at its own timeout', () => {
    const input = lateAnswer('10s', 'read-timeout');
    input.kernel = { tcp_max_tw_buckets: 0, ip_local_port_range: [40000, 40019] };
    input.timeline = [{ at: '4s', do: 'load', http_rate: 0 }];
    const r = run(input, 1);
    const requests = r.figures['requests.total']!;
    expect(requests).toBeGreaterThan(30); // more than the 20 ports: connects meet stale app ends
    // Every request connected (one upstream connection each, nginx's FIN_WAIT2 refused each time)
    // and got its 504 proxy_read_timeout (1 s) after it came: all by 5.2 s. Before: 10 by 5.2 s,
    // 19 by 12 s, 5 client timeouts.
    expect(r.figures['upstream_connects.total']).toBe(requests);
    expect(r.figures['tw_overflow.total']).toBe(requests);
    expect(between(r, 'responses_5xx', 0, 5.2)).toBe(requests);
    expect(r.figures['err_client_timeout.total'] ?? 0).toBe(0);
  });
});
