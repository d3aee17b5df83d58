/**
 * A client that gives up (clients.http.request_timeout) while the app still works on its request:
 * nginx reads the client's FIN (ngx_http_upstream_check_broken_connection) and finalizes with 499,
 * NGX_HTTP_CLIENT_CLOSED_REQUEST. ngx_http_upstream_finalize_request (nginx 1.22.1
 * src/http/ngx_http_upstream.c) closes the upstream connection with ngx_close_connection: a plain
 * close() with nothing unread sends FIN, so nginx's end waits in FIN_WAIT2 and the app's in
 * CLOSE_WAIT until the app's late write draws an RST (tcp_timewait_state_process TCP_TW_RST) —
 * the close proxy_read_timeout's 504 makes too (read-timeout-fin-wait2.test.ts). Before review52
 * the model freed both ends at the 499 (an RST at once), so nginx's port was free for 9 s early.
 */
import { describe, expect, it } from 'vitest';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt } from '../helpers.js';
import { lateAnswer } from './late-answer-fixture.js';

/** The clients give up after 1 s (request_timeout): nginx's 499. */
const giveUp = (service: string) => lateAnswer(service, 'client');

describe("nginx's upstream port after a 499 (the client gave up)", () => {
  it('is held in FIN_WAIT2 until the app writes its late answer, then freed without TIME_WAIT', () => {
    const r = run(giveUp('10s'), 1);
    const closed = recordsOf(r, 'nginx.client_closed_request');
    expect(closed.length).toBeGreaterThan(0);
    const gaveUp = r.figures['err_client_timeout.total']!;
    expect(gaveUp).toBeGreaterThan(5);
    expect(r.figures['responses_5xx.total']).toBe(0);
    // Given up at 1–2 s; the answers come at 10–11 s. Before: 0 at 5 s (both ends gone at the 499).
    expect(valueAt(r, 'upstream_ports_busy', 5)).toBe(gaveUp);
    expect(valueAt(r, 'time_wait', 5)).toBe(gaveUp);
    expect(valueAt(r, 'upstream_ports_busy', 12)).toBe(0);
    expect(valueAt(r, 'time_wait', 12)).toBe(0);
  });

  it('is freed by tcp_fin_timeout (60 s) when the app answers later still', () => {
    const r = run(giveUp('75s'), 1);
    const gaveUp = r.figures['err_client_timeout.total']!;
    expect(gaveUp).toBeGreaterThan(5);
    expect(valueAt(r, 'upstream_ports_busy', 60)).toBe(gaveUp);
    expect(valueAt(r, 'upstream_ports_busy', 66)).toBe(0);
  });
});
