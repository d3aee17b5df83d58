/**
 * A tunnel's half-close through HAProxy (sim/model/lb/fin-timeouts.ts halfClosedTimeouts): once one
 * side's FIN has been passed on, the other side's read timeout is `timeout client-fin` (after the
 * server's FIN) or `timeout server-fin` (after the client's), each when set (sc_app_shutw() /
 * sc_app_shutw_conn(), src/stconn.c; process_stream(), src/stream.c, HAProxy v2.6.0), else that
 * side's ordinary timeout. Measured: calibration/haproxy/NOTES.md item 31 (client-fin 2s, the
 * stream ended 2.000 s after the client read EOF). The keys are read from haproxy.cfg and are
 * proxy-only settings (a NAT keeps no stream).
 */
import { describe, expect, it } from 'vitest';
import { importHaproxy } from '../../../sim/import/haproxy-cfg.js';
import { Imported } from '../../../sim/import/imported.js';
import { halfClosedTimeouts } from '../../../sim/model/lb/fin-timeouts.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { explanationOf, lineOf } from '../../../sim/trace/catalog.js';
import { besidesConnect } from '../../import/read-fixture.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt } from '../helpers.js';
import { vanishL4 } from './vanish-l4.js';

const lbOf = (lb: Record<string, unknown>) => ScenarioSchema.parse({ lb }).lb;

describe('HAProxy half-closed tunnel timeouts', () => {
  it('client-fin after the server FIN and server-fin after the client FIN, not timeout tunnel', () => {
    const t = halfClosedTimeouts(
      lbOf({
        mode: 'l4',
        timeout_client: '30s',
        timeout_server: '30s',
        timeout_tunnel: '20s',
        timeout_client_fin: '2s',
        timeout_server_fin: '3s',
      }),
    );
    expect(t).toEqual({ afterServerFin: 2, afterClientFin: 3 });
  });

  it('unset (no default), each side keeps timeout tunnel, else its own client / server timeout', () => {
    expect(
      halfClosedTimeouts(lbOf({ mode: 'l7', timeout_client: '30s', timeout_server: '40s', timeout_tunnel: '1h' })),
    ).toEqual({
      afterServerFin: 3600,
      afterClientFin: 3600,
    });
    expect(halfClosedTimeouts(lbOf({ mode: 'l4', timeout_client: '30s', timeout_server: '40s' }))).toEqual({
      afterServerFin: 30,
      afterClientFin: 40,
    });
    expect(halfClosedTimeouts(lbOf({ mode: 'l4' }))).toEqual({ afterServerFin: Infinity, afterClientFin: Infinity });
  });

  it('a NAT keeps no stream: the keys are errors there, and it has no half-closed timeout', () => {
    const res = ScenarioSchema.safeParse({ lb: { mode: 'nat', timeout_client_fin: '2s' } });
    expect(res.success).toBe(false);
    expect(res.error?.issues.find((i) => i.path.join('.') === 'lb.timeout_client_fin')?.message).toMatch(
      /^needs a proxy/,
    );
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l4', timeout_server_fin: 'forever' } }).success).toBe(false);
    expect(halfClosedTimeouts(lbOf({ mode: 'nat' }))).toEqual({ afterServerFin: Infinity, afterClientFin: Infinity });
  });

  it('drainsim import reads timeout client-fin / server-fin from haproxy.cfg', () => {
    const into = new Imported();
    importHaproxy(
      'defaults\n  mode tcp\n  timeout client-fin 2s\n  timeout server-fin 3s\nbackend be\n  server a 10.0.0.1:80\n',
      'h.cfg',
      into,
    );
    const text = into.render('');
    expect(text).toContain('timeout_client_fin: 2s # from h.cfg:3');
    expect(text).toContain('timeout_server_fin: 3s # from h.cfg:4');
    expect(besidesConnect(into.warnings)).toEqual([]);
  });

  it('mode tcp: a client-closed stream to a vanished server ends timeout server-fin after the FIN', () => {
    // The clients' request timeouts (2 s after their last request, by ≈ 7.2 s) close them; each
    // FIN is relayed to the silent vm-a and arms server-fin (3 s) from then, where timeout server
    // alone (12 s from the last request: vanished-client-closed.test.ts) keeps them to ≈ 17 s.
    const r = run(vanishL4({ timeout_server: '12s', timeout_server_fin: '3s' }), 1);
    const stuck = valueAt(r, 'active_conn', 6, 'vm-a');
    expect(stuck).toBeGreaterThan(3);
    expect(valueAt(r, 'active_conn', 11, 'vm-a')).toBe(0);
    const ended = recordsOf(r, 'lb.server_side_timeout');
    expect(ended.length).toBeGreaterThan(0);
    expect(ended.every((e) => e.after === 3 && e.t > 8 && e.t < 10.3)).toBe(true);
    // The DOWN line (≈ 11 s) no longer counts them among vm-a's sessions.
    expect(recordsOf(r, 'hc.down')[0].sessions).toBe(0);
  });

  it('the trace line says which clock ended the stream: server-fin from the relayed FIN, timeout server from the last exchange', () => {
    const fin = recordsOf(
      run(vanishL4({ timeout_server: '12s', timeout_server_fin: '3s' }), 1),
      'lb.server_side_timeout',
    );
    expect(fin.length).toBeGreaterThan(0);
    expect(fin.every((e) => e.cause === 'server-fin')).toBe(true);
    expect(lineOf(fin[0])).toBe(
      'vm-a: stream of a departed client closed 3s after its FIN reached the silent server (timeout server-fin)',
    );
    expect(explanationOf(fin[0])).toMatch(
      /, 3s after it relayed the client's FIN: timeout server-fin counts from that FIN/,
    );
    expect(explanationOf(fin[0])).not.toMatch(/last exchange with the server\./);
    const server = recordsOf(run(vanishL4({ timeout_server: '12s' }), 1), 'lb.server_side_timeout');
    expect(server.length).toBeGreaterThan(0);
    expect(server.every((e) => e.cause === 'timeout' && e.after === 12)).toBe(true);
    expect(lineOf(server[0])).toBe('vm-a: stream of a departed client closed after 12s of server silence');
    expect(explanationOf(server[0])).toMatch(/, 12s after its last exchange with the server\./);
  });
});
