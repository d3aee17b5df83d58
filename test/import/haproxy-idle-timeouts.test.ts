/**
 * `drainsim import` reads haproxy.cfg's `timeout http-request` into lb.http_request_timeout: with
 * `timeout http-keep-alive` unset it is the idle timeout of a client connection between two
 * requests, bounded by `timeout client` (v2.6.0 src/mux_h1.c h1_set_idle_expiration(),
 * h1_refresh_timeout()); review32 #2 (it was dropped with a warning before session 24).
 */
import { describe, expect, it } from 'vitest';
import type { Imported } from '../../sim/import/imported.js';
import { importCfg, valueAt as value } from './read-fixture.js';

const read = (lines: string[]): Imported =>
  importCfg(
    ['defaults', ...lines.map((l) => `  ${l}`), '', 'backend be', '  server a 10.0.0.1:80 check', ''].join('\n'),
  );

describe('haproxy.cfg timeout http-request', () => {
  it('maps to lb.http_request_timeout in mode http, beside timeout client', () => {
    const into = read(['mode http', 'timeout client 30s', 'timeout http-request 10s']);
    expect(into.errors).toEqual([]);
    expect(into.warnings.filter((w) => w.includes('http-request'))).toEqual([]);
    expect(value(into, 'lb.http_request_timeout')).toBe('10s');
    expect(value(into, 'lb.timeout_client')).toBe('30s');
  });
});
