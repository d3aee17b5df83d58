/**
 * Shared by the tests of an app drained behind nginx's upstream keep-alive cache
 * (app/sigterm-keepalive-nginx, proxy/upstream-draining-cached): one pod behind nginx (one worker,
 * upstream keepalive 32) and kube-proxy, 10 requests/s (one per client connection, paced), no
 * retries; a maintenance file at 2.2 s fails the liveness probe (every second, one failure) at 3 s
 * and the kubelet SIGTERMs the app.
 */
import type { ScenarioInput } from '../../sim/scenario/schema.js';
import { pacedConnects } from './helpers.js';

/** The regime with `app` as the app's keys and `timeline` after the maintenance file (at 2.2 s). */
export const livenessKillBehindNginx = (app: Record<string, unknown>, timeline: object[] = []): ScenarioInput =>
  ({
    warmup: '0s',
    horizon: '10s',
    clients: pacedConnects(10, { think_time: 'const(10ms)' }),
    app,
    nginx: { worker_processes: 1, upstream_keepalive: 32 },
    lb: { mode: 'nat', retries: 0 },
    probes: { liveness: { type: 'http', period: '1s', failure_threshold: 1 } },
    backends: [{ name: 'pod-a' }],
    timeline: [{ at: '2.2s', do: 'health_404', backend: 'pod-a' }, ...timeline],
  }) as ScenarioInput;
