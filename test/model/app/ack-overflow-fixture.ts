/**
 * The app listener's accept-queue overflow regime shared by app-ack-overflow and syn-cookie-age:
 * one worker at 50 ms behind a 16-deep backlog, nginx (no upstream keepalive, the app closing
 * first) sending 100 one-request connections a second — the held-out twin
 * calibration/scenarios/kernel-holdout-backlog16-100-s50ms.yaml. worker_connections 0 as in the
 * twin: the recording had no nginx, whose stand-in has no limit to model. `waitFor` (the client's
 * request_timeout and, when given, nginx's proxy read/connect timeouts) keeps connections alive
 * past a SYN cookie's 120 s when a test needs that.
 */
export function overflowingApp(horizon: string, waitFor: { client: string; nginx?: string }) {
  return {
    warmup: '0s',
    horizon,
    clients: {
      http: { arrival_rate: 100, requests_per_connection: 'const(1)', retries: 0, request_timeout: waitFor.client },
    },
    app: { workers: 1, service_time: 'const(50ms)', backlog: 16 },
    nginx: {
      upstream_loopback: true,
      upstream_keepalive: 0,
      upstream_close_first: 'app' as const,
      worker_connections: 0,
      ...(waitFor.nginx === undefined
        ? {}
        : { proxy_read_timeout: waitFor.nginx, proxy_connect_timeout: waitFor.nginx }),
    },
    kernel: { somaxconn: 4096 },
    backends: [{ name: 'host' }],
  };
}
