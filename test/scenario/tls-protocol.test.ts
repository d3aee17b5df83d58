/**
 * `app.tls.protocol` (schema.ts TlsSchema): "1.3" (default) or "1.2"; anything else is the loader's
 * usual error (exit 2: file, line, path, expected, found). `resumed_handshake_cpu` unset follows
 * it: 0.1 ms with TLS 1.3 (two P-256 ECDH operations), 0 with TLS 1.2 (ticket resumption runs no
 * public-key operation: OpenSSL tls_decrypt_ticket, setup_key_block), stated it is kept.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { cleanupScenarioDirs, scenarioDir, scenarioErrorOf } from './load-fixtures.js';

afterAll(cleanupScenarioDirs);

const load = (text: string) => {
  const dir = scenarioDir({ 'x.yaml': text });
  return () => loadScenario(join(dir, 'x.yaml'), ScenarioSchema);
};
const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('app.tls.protocol', () => {
  it('defaults to 1.3, with resumed handshakes at 0.1 ms', () => {
    const tls = load(lines('app:', '  tls: { terminates: nginx }'))().scenario.app.tls;
    expect(tls.protocol).toBe('1.3');
    expect(tls.resumed_handshake_cpu).toBeCloseTo(0.0001, 12);
  });

  it('1.2: resumed handshakes cost no public-key work unless stated; a backend override follows its own protocol', () => {
    const s = load(
      lines(
        'app:',
        '  tls: { terminates: nginx, protocol: "1.2" }',
        'backends:',
        '  - name: a',
        '  - name: b',
        '    app: { tls: { terminates: nginx, protocol: "1.2", resumed_handshake_cpu: 0.2ms } }',
        '  - name: c',
        '    app: { tls: { terminates: nginx } }',
      ),
    )().scenario;
    expect(s.app.tls.protocol).toBe('1.2');
    expect(s.app.tls.resumed_handshake_cpu).toBe(0);
    expect(s.backends[1].app?.tls?.resumed_handshake_cpu).toBeCloseTo(0.0002, 12);
    expect(s.backends[2].app?.tls?.resumed_handshake_cpu).toBeCloseTo(0.0001, 12);
  });

  it('refuses another version with the file, line, path, expected and found', () => {
    const { issues } = scenarioErrorOf(load(lines('app:', '  tls:', '    terminates: nginx', '    protocol: "1.1"')));
    expect(issues).toHaveLength(1);
    const issue = issues[0];
    expect(issue.path).toBe('app.tls.protocol');
    expect(issue.line).toBe(4);
    expect(JSON.stringify(issue)).toContain('1.2');
    expect(JSON.stringify(issue)).toContain('1.1');
  });
});
