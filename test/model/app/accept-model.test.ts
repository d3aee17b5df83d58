/**
 * `app.accept_model`: how the app takes connections off its listen queue. Unset it keeps the rule
 * that came before the key (a bare one-worker app is an event loop); `event_loop` with more than
 * one worker (N loops sharing one socket: node cluster, uvicorn --workers N) is refused with the
 * loader's usual error (file, line, path, expected, found).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acceptsByEventLoop } from '../../../sim/model/app/accept-model.js';
import type { ScenarioIssue } from '../../../sim/scenario/errors.js';
import { loadScenario } from '../../../sim/scenario/load.js';
import { type AppConfig, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { cleanupScenarioDirs, scenarioDir, scenarioErrorOf } from '../../scenario/load-fixtures.js';

afterAll(cleanupScenarioDirs);

const load = (text: string) => {
  const dir = scenarioDir({ 'x.yaml': text });
  return () => loadScenario(join(dir, 'x.yaml'), ScenarioSchema);
};
const issuesOf = (text: string): ScenarioIssue[] => scenarioErrorOf(load(text)).issues;
const lines = (...l: string[]) => `${l.join('\n')}\n`;

const backend = (bare: boolean, workers: number, accept_model?: AppConfig['accept_model']) => ({
  bare,
  app: { config: { workers, accept_model } as AppConfig },
});

describe('app.accept_model', () => {
  it('unset: an event loop only for a bare app with one worker (the rule before the key)', () => {
    expect(acceptsByEventLoop(backend(true, 1))).toBe(true);
    expect(acceptsByEventLoop(backend(true, 2))).toBe(false);
    expect(acceptsByEventLoop(backend(false, 1))).toBe(false);
  });

  it('written, it decides whatever proxy is in front', () => {
    expect(acceptsByEventLoop(backend(true, 1, 'worker_per_connection'))).toBe(false);
    expect(acceptsByEventLoop(backend(false, 1, 'event_loop'))).toBe(true);
  });

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
