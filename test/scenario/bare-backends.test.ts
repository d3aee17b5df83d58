/**
 * `backends[].proxy: none` (a bare app server behind the balancer): what only nginx has is refused
 * for such a backend, each as the loader's usual error (file, line, path, expected, found), and
 * the same scenario passes once the nginx-only part is gone or the backend keeps its nginx.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScenarioIssue } from '../../sim/scenario/errors.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { cleanupScenarioDirs, scenarioDir, scenarioErrorOf } from './load-fixtures.js';

afterAll(cleanupScenarioDirs);

const load = (text: string) => {
  const dir = scenarioDir({ 'x.yaml': text });
  return () => loadScenario(join(dir, 'x.yaml'), ScenarioSchema);
};
const issuesOf = (text: string): ScenarioIssue[] => scenarioErrorOf(load(text)).issues;
const lines = (...l: string[]) => `${l.join('\n')}\n`;
const BARE_L7 = [
  'lb:',
  '  mode: l7',
  'backends:',
  '  - name: a',
  '    proxy: none',
  '    app: { keepalive_timeout: 6s }',
  '  - name: b',
];

describe('backends[].proxy: none', () => {
  it('loads under lb.mode l7; unset and nginx mean nginx in front of the app', () => {
    const s = load(lines(...BARE_L7))().scenario;
    expect(s.backends.map((b) => b.proxy)).toEqual(['none', undefined]);
  });

  it("refuses a bare backend's own nginx settings at backends[i].nginx, with line and found", () => {
    const [issue, ...rest] = issuesOf(
      lines(...BARE_L7.slice(0, 6), '    nginx:', '      keepalive_timeout: 10s', '  - name: b'),
    );
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      path: 'backends[0].nginx',
      line: 8,
      expected: 'no nginx settings',
      found: '{"keepalive_timeout":"10s"}',
    });
    expect(issue.message).toMatch(/^backend 'a' has proxy: none — there is no nginx on it/);
    expect(issue.file).toMatch(/x\.yaml$/);
  });

  it('refuses nginx events naming a bare backend, and unnamed ones while any backend is bare', () => {
    const issues = issuesOf(
      lines(
        ...BARE_L7,
        'timeline:',
        '  - { at: 10s, do: nginx_quit, backend: a }',
        '  - { at: 20s, do: nginx_reload }',
        '  - { at: 30s, do: nginx_stop, backend: b }',
        '  - { at: 40s, do: set, backend: a, nginx: { keepalive_timeout: 5s } }',
      ),
    );
    expect(issues.map((i) => [i.path, i.line, i.expected])).toEqual([
      ['timeline[0].backend', 9, 'a backend with nginx'],
      ['timeline[1].do', 10, 'a backend with nginx'],
      ['timeline[3].backend', 12, 'a backend with nginx'],
    ]);
    expect(issues[0].message).toMatch(/^nginx_quit needs nginx, and backend 'a' has proxy: none/);
  });

  it("loads behind lb.mode l4 and nat too (session 15: the client's own connection reaches the app)", () => {
    for (const mode of ['l4', 'nat']) {
      const s = load(
        lines(`lb: { mode: ${mode} }`, 'backends:', '  - { name: a, proxy: none, app: { keepalive_timeout: 6s } }'),
      )().scenario;
      expect(s.backends[0].proxy).toBe('none');
    }
  });

  it('refuses TLS ending in nginx on a bare backend, and takes WebSocket clients behind lb.mode l7', () => {
    const tls = issuesOf(lines(...BARE_L7, 'app: { tls: { terminates: nginx } }'));
    expect(tls.map((i) => i.path)).toEqual(['backends[0].proxy']);
    expect(tls[0].message).toMatch(/TLS cannot end in nginx there/);
    // Session 15: the tunnel runs from HAProxy to the app itself (app/ws-endpoint.ts).
    const ws = load(lines(...BARE_L7, 'clients: { ws: { initial_sessions: 10 } }'))().scenario;
    expect(ws.clients.ws.initial_sessions).toBe(10);
  });

  it('refuses scenario-wide nginx settings only when no backend has nginx', () => {
    const allBare = [
      'lb: { mode: l7 }',
      'app: { keepalive_timeout: 6s }',
      'backends:',
      '  - { name: a, proxy: none }',
      'nginx:',
      '  keepalive_timeout: 10s',
      '  proxy_read_timeout: 60s',
    ];
    // Written at nginx's default value (proxy_read_timeout 60s) is refused as well: any key written.
    const issues = issuesOf(lines(...allBare));
    expect(issues.map((i) => [i.path, i.line, i.found])).toEqual([
      ['nginx.keepalive_timeout', 6, '"10s"'],
      ['nginx.proxy_read_timeout', 7, '"60s"'],
    ]);
    expect(issues[1]).toMatchObject({ expected: 'no nginx setting' });
    expect(issues[1].message).toMatch(/^every backend has proxy: none — there is no nginx to configure/);
    // With one nginx backend left the same settings are its own.
    expect(() => load(lines(...BARE_L7, 'nginx:', '  keepalive_timeout: 10s'))()).not.toThrow();
  });

  it('refuses a bare backend without app.keepalive_timeout (no default fits every app), scenario-wide or its own', () => {
    const [issue, ...rest] = issuesOf(lines('lb: { mode: l7 }', 'backends:', '  - name: a', '    proxy: none'));
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      path: 'backends[0].app.keepalive_timeout',
      line: 3,
      found: 'missing',
      expected:
        'app.keepalive_timeout, a duration: node 20-25 closes idle connections after keepAliveTimeout + 1 s = 6s (node >= 26: 65 s + 1 s = 66s); gunicorn gthread and async workers 2s; 0s = never; or app.keepalive: close (a gunicorn sync worker)',
    });
    expect(issue.file).toMatch(/x\.yaml$/);
    expect(issue.message).toMatch(/^backend 'a' has proxy: none — its app server's own keep-alive idle timeout/);
    // Written, even 0s (never), scenario-wide or in the backend's own app: loads.
    const shared = load(
      lines('lb: { mode: l7 }', 'app: { keepalive_timeout: 0s }', 'backends:', '  - { name: a, proxy: none }'),
    );
    expect(shared().scenario.app.keepalive_timeout).toBe(0);
    expect(() => load(lines(...BARE_L7))()).not.toThrow();
    // An nginx backend needs none (its nginx's upstream keepalive decides).
    expect(() => load(lines('lb: { mode: l7 }', 'backends:', '  - { name: a }'))()).not.toThrow();
  });

  it('lb.server_rtt and lb.retry_on_empty_response need lb.mode l7', () => {
    for (const setting of ['server_rtt: 1ms', 'retry_on_empty_response: true']) {
      const key = setting.split(':')[0];
      const [issue] = issuesOf(lines(`lb: { mode: l4, ${setting} }`));
      expect(issue).toMatchObject({ path: `lb.${key}`, line: 1 });
      expect(issue.message).toMatch(/^needs lb.mode: l7/);
      expect(() => load(lines(`lb: { mode: l7, ${setting} }`))()).not.toThrow();
    }
  });

  it('clients.requests.reused_connections needs lb.mode l7', () => {
    const [issue] = issuesOf(lines('lb: { mode: l4 }', 'clients: { requests: { reused_connections: true } }'));
    expect(issue).toMatchObject({ path: 'clients.requests.reused_connections', line: 2, expected: 'lb.mode: l7' });
    expect(() =>
      load(lines('lb: { mode: l7 }', 'clients: { requests: { reused_connections: true } }'))(),
    ).not.toThrow();
  });
  it('app.sigterm_keepalive: keep or close on a bare backend and behind nginx (its cached upstream connections)', () => {
    const s = load(
      lines(...BARE_L7.slice(0, 5), '    app: { keepalive_timeout: 6s, sigterm_keepalive: close }', '  - name: b'),
    )();
    expect(s.scenario.backends[0].app?.sigterm_keepalive).toBe('close');
    // Before session 26 both were refused (expected: a backend with proxy: none).
    expect(load(lines('app: { sigterm_keepalive: keep }'))().scenario.app.sigterm_keepalive).toBe('keep');
    expect(
      load(lines(...BARE_L7, '    app: { sigterm_keepalive: close }'))().scenario.backends[1].app?.sigterm_keepalive,
    ).toBe('close');
    expect(
      issuesOf(
        lines(...BARE_L7.slice(0, 5), '    app: { keepalive_timeout: 6s, sigterm_keepalive: drain }', '  - name: b'),
      )[0],
    ).toMatchObject({
      path: 'backends[0].app.sigterm_keepalive',
    });
  });
});

/**
 * `app.accept_model` (sim/scenario/accept-model.ts): `event_loop` with more than one worker (N
 * loops sharing one socket: node cluster, uvicorn --workers N) is refused with the loader's usual
 * error (file, line, path, expected, found).
 */
describe('app.accept_model', () => {
  it('loads event_loop with one worker, scenario-wide or per backend', () => {
    const s = load(
      lines(
        'app: { workers: 1, accept_model: event_loop }',
        'backends:',
        '  - { name: a }',
        '  - { name: b, app: { accept_model: worker_per_connection, workers: 4 } }',
      ),
    )().scenario;
    expect(s.app.accept_model).toBe('event_loop');
    expect(s.backends[1].app?.accept_model).toBe('worker_per_connection');
  });

  it('refuses event_loop with more workers, at the key that made it one, with line, expected and found', () => {
    const [issue, ...rest] = issuesOf(
      lines(
        'app: { workers: 4, accept_model: event_loop }',
        'backends:',
        '  - { name: a }',
        '  - { name: b, app: { accept_model: worker_per_connection } }',
      ),
    );
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      path: 'app.accept_model',
      line: 1,
      expected: 'event_loop with app.workers: 1, or worker_per_connection',
      found: '"event_loop"',
    });
    expect(issue.message).toMatch(
      /^backend 'a' has accept_model: event_loop with app.workers 4 — one event loop is one worker/,
    );
    expect(issue.file).toMatch(/x\.yaml$/);
    const [own] = issuesOf(
      lines('backends:', '  - { name: a }', '  - name: b', '    app: { workers: 2, accept_model: event_loop }'),
    );
    expect(own).toMatchObject({ path: 'backends[1].app.accept_model', line: 4, found: '"event_loop"' });
  });
});
