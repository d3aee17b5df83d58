/**
 * Validation of backends without nginx (`backends[].proxy: none`): the balancer reaches the app
 * server's own listener, so nothing that configures or signals nginx applies to them, and the
 * topologies drainsim does not model for them yet are refused rather than simulated wrongly.
 */
import type { z } from 'zod';
import { type DescribedIssue, formatFound } from './zod-issues.js';

/** What these checks read of a parsed scenario (structural: schema.ts calls them from its refinement). */
interface BareView {
  lb: { mode: string };
  app: { tls: { terminates: string }; sigterm_keepalive?: string; stoppable_grace?: number; keepalive?: string };
  probes: { liveness?: object; startup?: object };
  clients: {
    requests: { reused_connections?: boolean };
  };
  backends: Array<{
    name: string;
    proxy?: string;
    nginx?: object;
    app?: { tls?: { terminates?: string }; sigterm_keepalive?: string; stoppable_grace?: number; keepalive?: string };
  }>;
  timeline: Array<{ do: string; backend?: string }>;
}

/** Timeline actions that are nginx's own (`nginx -s reload|quit|stop`, a settings reload). */
const NGINX_ACTIONS = new Set(['set', 'nginx_reload', 'nginx_quit', 'nginx_stop']);

type Path = Array<string | number>;

export function checkBareBackends(s: BareView, ctx: z.core.$RefinementCtx<unknown>): void {
  /** One issue at `path`, with what a valid scenario has there (the error's `expected`). */
  const issue = (path: Path, expected: string, message: string): void =>
    ctx.addIssue({ code: 'custom', path, message, params: { expected } });
  if (s.clients.requests.reused_connections !== undefined && s.lb.mode !== 'l7')
    issue(
      ['clients', 'requests', 'reused_connections'],
      'lb.mode: l7',
      `needs lb.mode: l7 — only a balancer that terminates HTTP tells a client connection's first request from its later ones (TX_NOT_FIRST); an ${s.lb.mode} balancer forwards bytes`,
    );
  const bare = bareIndexes(s.backends);
  checkSigtermKeepalive(s, issue);
  if (bare.length === 0) return;
  const names = bare.map((i) => s.backends[i].name);
  for (const i of bare) {
    const b = s.backends[i];
    const at = (...rest: Path): Path => ['backends', i, ...rest];
    if (b.nginx !== undefined)
      issue(
        at('nginx'),
        'no nginx settings',
        `backend '${b.name}' has proxy: none — there is no nginx on it to configure`,
      );
    if ((b.app?.tls?.terminates ?? s.app.tls.terminates) === 'nginx')
      issue(
        b.app?.tls?.terminates === 'nginx' ? at('app', 'tls', 'terminates') : at('proxy'),
        'app.tls.terminates: none, lb or app',
        `backend '${b.name}' has proxy: none, so TLS cannot end in nginx there — use app.tls.terminates: app or lb`,
      );
  }
  s.timeline.forEach((a, j) => {
    if (!NGINX_ACTIONS.has(a.do)) return;
    if (a.backend === undefined)
      issue(
        ['timeline', j, 'do'],
        'a backend with nginx',
        `${a.do} without a backend signals every backend's nginx, and ${names.join(', ')} ${names.length === 1 ? 'has' : 'have'} proxy: none (no nginx) — name an nginx backend`,
      );
    else if (names.includes(a.backend))
      issue(
        ['timeline', j, 'backend'],
        'a backend with nginx',
        `${a.do} needs nginx, and backend '${a.backend}' has proxy: none — a bare app server has no reload or quit of its own; use terminate (SIGTERM) or deploy`,
      );
  });
}

/**
 * `app.sigterm_keepalive` is read for every app: a bare app server's connections from the balancer
 * or the client, and behind nginx the upstream connections nginx keeps cached to a draining app
 * (proxy/upstream.ts handle / releaseUpstream read keepsAliveDraining / keepsAliveAfterResponse),
 * which matter where nginx outlives the app's SIGTERM (a pod's liveness or startup kill; a pod's
 * app exits once they are closed, vm/app-exit.ts). `stoppable` also destroys what is left
 * after its grace (terminus); that destroy is scheduled at a VM's SIGTERM (vm/lifecycle.ts); a
 * Kubernetes pod's SIGTERM (a `rollout`, the kubelet's liveness or startup kill) waits for the
 * app in control/ and does not model it: refused in such a scenario. `app.stoppable_grace` is
 * read only with `stoppable`.
 */
function checkSigtermKeepalive(s: BareView, issue: (path: Path, expected: string, message: string) => void): void {
  const shared = s.app.sigterm_keepalive;
  const pods =
    s.timeline.some((a) => a.do === 'rollout') || s.probes.liveness !== undefined || s.probes.startup !== undefined;
  /** The key that set it for backend i: its own, else the scenario-wide one. */
  const where = (i: number, key: 'sigterm_keepalive' | 'stoppable_grace'): Path =>
    s.backends[i].app?.[key] !== undefined ? ['backends', i, 'app', key] : ['app', key];
  s.backends.forEach((b, i) => {
    const model = b.app?.sigterm_keepalive ?? shared;
    if (model === 'stoppable' && pods)
      issue(
        where(i, 'sigterm_keepalive'),
        'sigterm_keepalive keep, close or gunicorn in a scenario with Kubernetes pods',
        `backend '${b.name}' has sigterm_keepalive: stoppable in a scenario with Kubernetes pods (a rollout action, liveness or startup probes) — stoppable's destroy after its grace is modelled at a VM's SIGTERM (terminate, rolling_deploy), not a pod's`,
      );
    if (model !== 'stoppable' && (b.app?.stoppable_grace ?? s.app.stoppable_grace) !== undefined)
      issue(
        where(i, 'stoppable_grace'),
        'app.sigterm_keepalive: stoppable',
        `backend '${b.name}' has app.stoppable_grace without sigterm_keepalive: stoppable — the grace is stoppable's (terminus's timeout), read only with it`,
      );
  });
}

/** What a bare app server's keep-alive idle timeout may be, for the error that asks for one. */
const KEEPALIVE_EXPECTED =
  'app.keepalive_timeout, a duration: node 20-25 closes idle connections after keepAliveTimeout + 1 s = 6s (node >= 26: 65 s + 1 s = 66s); gunicorn gthread and async workers 2s; 0s = never; or app.keepalive: close (a gunicorn sync worker)';

const mapping = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * The indexes of the backends without nginx (`proxy: none`) in a backends list, parsed or as
 * written (the schema's refinement, the raw-input check below and `drainsim show` ask the same).
 */
export function bareIndexes(backends: readonly unknown[]): number[] {
  return backends.flatMap((b, i) => (mapping(b)?.proxy === 'none' ? [i] : []));
}

/**
 * The checks of what the file wrote (written-checks.ts; the parsed scenario has every default):
 * - a bare backend needs `app.keepalive_timeout` written, scenario-wide or its own: the app
 *   server's idle timeout decides when the balancer's idle connections end (and the keep-alive
 *   race, lb.server_rtt), and no default is right for every app — node closes after
 *   keepAliveTimeout + keepAliveTimeoutBuffer (lib/_http_server.js storeHTTPOptions: 5 s + 1 s
 *   in node 20–25, 65 s + 1 s in node ≥ 26), gunicorn's gthread and async workers after
 *   `keepalive` 2 s, a sync worker after each response (`app.keepalive: close`, which needs none);
 *   the schema's 0 (never) suits only an app behind nginx's upstream keepalive;
 * - when every backend is bare, any scenario-wide `nginx:` key, even one written at its default.
 */
export function writtenBareIssues(raw: unknown): DescribedIssue[] {
  const scenario = mapping(raw);
  const backends = Array.isArray(scenario?.backends) ? (scenario.backends as unknown[]).map(mapping) : [];
  const bare = bareIndexes(backends);
  if (scenario === undefined || bare.length === 0) return [];
  const issues: DescribedIssue[] = [];
  const shared = mapping(scenario.app);
  for (const i of bare) {
    const b = backends[i] as Record<string, unknown>;
    const own = mapping(b.app);
    if (shared?.keepalive_timeout !== undefined || own?.keepalive_timeout !== undefined) continue;
    // An app that closes after each response (app.keepalive: close) keeps no idle connection to time out.
    if ((own?.keepalive ?? shared?.keepalive) === 'close') continue;
    issues.push({
      path: ['backends', i, 'app', 'keepalive_timeout'],
      message: `backend '${String(b.name)}' has proxy: none — its app server's own keep-alive idle timeout ends the balancer's idle connections, and no default fits every app: set app.keepalive_timeout (scenario-wide or this backend's)`,
      expected: KEEPALIVE_EXPECTED,
      found: 'missing',
      anchor: 'parent',
    });
  }
  const nginx = mapping(scenario.nginx);
  if (bare.length === backends.length && nginx !== undefined) {
    const names = bare.map((i) => String(backends[i]?.name));
    for (const key of Object.keys(nginx))
      issues.push({
        path: ['nginx', key],
        message: `every backend has proxy: none — there is no nginx to configure (backends ${names.join(', ')})`,
        expected: 'no nginx setting',
        found: formatFound(nginx[key]),
        anchor: 'key',
      });
  }
  return issues;
}
