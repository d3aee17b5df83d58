/**
 * `app.accept_model`: how the app takes connections off its listen queue. Unset it keeps the rule
 * that came before the key (a bare one-worker app is an event loop). Its validation (event_loop
 * with more workers refused): test/scenario/bare-backends.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { acceptsByEventLoop } from '../../../sim/model/app/accept-model.js';
import type { AppConfig } from '../../../sim/scenario/schema.js';

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
});
