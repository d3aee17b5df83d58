import type { AppConfig } from '../../scenario/schema.js';

/**
 * Whether a backend's app takes its connections as one event loop (`app.accept_model`,
 * app/event-loop-accepts.ts) rather than one connection per worker (app-listener.ts's count).
 * Unset, the rule that came before the key: a bare app server (proxy: none) with one worker is
 * an event loop (node), anything else one-connection-per-worker.
 */
export function acceptsByEventLoop(backend: {
  readonly bare: boolean;
  readonly app: { readonly config: AppConfig };
}): boolean {
  const { accept_model: model, workers } = backend.app.config;
  return (model ?? (backend.bare && workers === 1 ? 'event_loop' : 'worker_per_connection')) === 'event_loop';
}
