/**
 * The scenario the `app.keepalive: close` tests share (app/keepalive-close, lb/l7-app-closes,
 * proxy/upstream-app-closes): 10 keep-alive clients a second, 20 requests each 200 ms apart, on two
 * VMs whose app is 8 sync workers (gunicorn sync: workers/sync.py), reached as `path` says — a bare
 * app behind lb.mode l4, nat or l7, or the VM's nginx (upstream keepalive 32) behind the default
 * balancer.
 */
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';

export type SyncWorkerPath = 'l4' | 'nat' | 'l7' | 'nginx';

export function syncWorkerApps(path: SyncWorkerPath, keepalive?: 'keep' | 'close'): ScenarioInput {
  const bare = path !== 'nginx';
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 10, requests_per_connection: 'const(20)', think_time: 'const(200ms)', retries: 0 },
    },
    app: {
      workers: 8,
      accept_model: 'worker_per_connection',
      service_time: 'const(20ms)',
      ...(bare ? { keepalive_timeout: '2s' } : {}),
      ...(keepalive ? { keepalive } : {}),
    },
    ...(path === 'nginx'
      ? { nginx: { upstream_keepalive: 32 } }
      : {
          lb: path === 'l4' ? { mode: path, timeout_client: '30s', timeout_server: '30s' } : { mode: path },
        }),
    backends: bare
      ? [
          { name: 'vm-a', proxy: 'none' },
          { name: 'vm-b', proxy: 'none' },
        ]
      : [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [],
  } as ScenarioInput;
}

export const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;
