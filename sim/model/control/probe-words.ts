import { NGINX_PORT, vmAddress } from '../core/kernel-hosts.js';

/** The path the kubelet's httpGet probes ask for (the app's health endpoint, as README names it). */
export const PROBE_PATH = '/health';

function dotted(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/**
 * A kubelet probe failure in the kubelet's own words — the text `kubectl describe pod` shows
 * after "Readiness probe failed: " / "Liveness probe failed: " (pkg/kubelet/prober/prober.go
 * runProbeWithRetries → recorder.Eventf "%s probe failed: %s"). The probe's check reports its
 * outcome in HAProxy's status words (lb/health-checker.ts: L4CON, L4TOUT, L7TOUT, L7STS);
 * the kubelet's prober puts it as Go's error text:
 *  - kubernetes pkg/probe/http/http.go DoHTTPProbe: a transport error is `err.Error()` of
 *    net/http's Client.Do, a *url.Error: `Get "<url>": <cause>` (Go src/net/url/url.go
 *    Error.Error quotes the URL); a status outside 200–399 is
 *    `HTTP probe failed with statuscode: %d`.
 *  - pkg/probe/tcp/tcp.go DoTCPProbe: `err.Error()` of net.DialTimeout: `dial tcp <addr>: <cause>`
 *    (Go src/net/net.go OpError.Error).
 *  - refused: `connect: connection refused` (OpError wrapping os.SyscallError("connect", ECONNREFUSED)).
 *  - unanswered SYNs: `i/o timeout` (Go src/net/net.go errTimeout; the dial's deadline). For an
 *    HTTP probe the client's Timeout ended it, so Go src/net/http/client.go Client.do appends
 *    ` (Client.Timeout exceeded while awaiting headers)`; connected but no answer yet, the
 *    cause is the request context's `context deadline exceeded` with the same suffix.
 * The probe connects where the model's checks do: nginx's listener on the pod's address
 * (kernel-hosts.ts NGINX_PORT, vmAddress), so an httpGet probe there is scheme HTTPS.
 */
export function kubeletProbeOutput(type: 'tcp' | 'http', backendIndex: number, haproxyReason: string): string {
  const hostPort = `${dotted(vmAddress(backendIndex))}:${NGINX_PORT}`;
  const dial = `dial tcp ${hostPort}`;
  const get = `Get "https://${hostPort}${PROBE_PATH}"`;
  const clientTimeout = ' (Client.Timeout exceeded while awaiting headers)';
  if (haproxyReason.startsWith('Layer4 connection problem'))
    return type === 'tcp' ? `${dial}: connect: connection refused` : `${get}: ${dial}: connect: connection refused`;
  if (haproxyReason === 'Layer4 timeout')
    return type === 'tcp' ? `${dial}: i/o timeout` : `${get}: ${dial}: i/o timeout${clientTimeout}`;
  if (haproxyReason === 'Layer7 timeout') return `${get}: context deadline exceeded${clientTimeout}`;
  const status = /code: (\d+)/.exec(haproxyReason);
  if (status) return `HTTP probe failed with statuscode: ${status[1]}`;
  return haproxyReason;
}
