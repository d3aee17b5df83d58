import { APP_PORT, NGINX_PORT, vmAddress } from '../core/kernel-hosts.js';
import type { VmView } from '../core/vm-view.js';

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
 * The probe connects where the model's checks do (probeTarget): nginx's listener on the pod's
 * address, or a bare app server's own port.
 */
export function kubeletProbeOutput(type: 'tcp' | 'http', backend: ProbedVm, haproxyReason: string): string {
  const { port, scheme } = probeTarget(backend);
  const hostPort = `${dotted(vmAddress(backend.index))}:${port}`;
  const dial = `dial tcp ${hostPort}`;
  const get = `Get "${scheme}://${hostPort}${PROBE_PATH}"`;
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

/** What the probe's words need of the pod: its index (address), whether nginx fronts it, its TLS. */
export type ProbedVm = Pick<VmView, 'index' | 'bare'> & { app: { config: { tls: { terminates: string } } } };

/**
 * Where a kubelet probe connects (kernel-hosts.ts): nginx's listener, NGINX_PORT 443 with TLS, or
 * on a bare app server (`backends[].proxy: none`, as lb/health-checker.ts connects there) the
 * app's own port, APP_PORT 8080 — scheme HTTPS only where the app itself terminates TLS
 * (`app.tls.terminates: app`). An assumption: the kubelet takes the scheme from the pod spec's
 * httpGet.scheme (default HTTP), not from the port, so this is the spec drainsim assumes its
 * operator wrote.
 */
export function probeTarget(backend: ProbedVm): { port: number; scheme: 'http' | 'https' } {
  if (!backend.bare) return { port: NGINX_PORT, scheme: 'https' };
  return { port: APP_PORT, scheme: backend.app.config.tls.terminates === 'app' ? 'https' : 'http' };
}
