/**
 * `drainsim import` reads haproxy.cfg's `http-check disable-on-404` (PR_O_DISABLE404,
 * proxy_parse_httpcheck(), v2.6.0 src/tcpcheck.c) into health_check.disable_on_404, which needs
 * `option httpchk`: a tcp check reads no HTTP status.
 */
import { describe, expect, it } from 'vitest';
import { besidesConnect, importBackend as read, valueAt as value } from './read-fixture.js';

describe('haproxy.cfg http-check disable-on-404', () => {
  it('maps to health_check.disable_on_404 with option httpchk, citing its line', () => {
    const into = read(['option httpchk GET /health', 'http-check disable-on-404']);
    expect(into.errors).toEqual([]);
    expect(besidesConnect(into.warnings)).toEqual([]);
    expect(value(into, 'health_check.type')).toBe('http');
    expect(value(into, 'health_check.disable_on_404')).toBe(true);
    expect(into.render('')).toContain('disable_on_404: true # from h.cfg:3');
  });

  it('is read whichever line comes first (HAProxy sets a proxy flag)', () => {
    const into = read(['http-check disable-on-404', 'option httpchk']);
    expect(besidesConnect(into.warnings)).toEqual([]);
    expect(value(into, 'health_check.disable_on_404')).toBe(true);
  });

  it('without option httpchk it is not modelled (a warning naming its line), not a broken scenario', () => {
    const into = read(['http-check disable-on-404']);
    expect(value(into, 'health_check.disable_on_404')).toBeUndefined();
    expect(into.warnings.join('\n')).toContain('h.cfg:2');
    expect(into.warnings.join('\n')).toContain('disable-on-404 not modelled without option httpchk');
  });

  it('other http-check lines are still reported as not modelled', () => {
    const into = read(['option httpchk', 'http-check expect status 200']);
    expect(into.warnings.join('\n')).toContain('http-check expect status 200 not modelled');
  });
});
