/**
 * Validation of backends without nginx (`backends[].proxy: none`): the balancer reaches the app
 * server's own listener, so nothing that configures or signals nginx applies to them, and the
 * topologies drainsim does not model for them yet are refused rather than simulated wrongly.
 */
import type { z } from 'zod';

/** What these checks read of a parsed scenario (structural: schema.ts calls them from its refinement). */
interface BareView {
  lb: { mode: string };
  nginx: Record<string, unknown>;
  app: { tls: { terminates: string } };
  clients: {
    ws: { initial_sessions: number; arrival_rate: number; scheduled?: unknown[] };
    requests: { reused_connections?: boolean };
  };
  backends: Array<{ name: string; proxy?: string; nginx?: object; app?: { tls?: { terminates?: string } } }>;
  timeline: Array<{ do: string; backend?: string }>;
}

/** Timeline actions that are nginx's own (`nginx -s reload|quit|stop`, a settings reload). */
const NGINX_ACTIONS = new Set(['set', 'nginx_reload', 'nginx_quit', 'nginx_stop']);

/** Every scenario-wide nginx key whose value differs from nginx's default (`defaults`). */
function writtenNginxKeys(nginx: Record<string, unknown>, defaults: Record<string, unknown>): string[] {
  return Object.keys(nginx).filter((k) => nginx[k] !== defaults[k]);
}

type Path = Array<string | number>;

export function checkBareBackends(s: BareView, ctx: z.core.$RefinementCtx<unknown>, nginxDefaults: object): void {
  /** One issue at `path`, with what a valid scenario has there (the error's `expected`). */
  const issue = (path: Path, expected: string, message: string): void =>
    ctx.addIssue({ code: 'custom', path, message, params: { expected } });
  if (s.clients.requests.reused_connections !== undefined && s.lb.mode !== 'l7')
    issue(
      ['clients', 'requests', 'reused_connections'],
      'lb.mode: l7',
      `needs lb.mode: l7 — only a balancer that terminates HTTP tells a client connection's first request from its later ones (TX_NOT_FIRST); an ${s.lb.mode} balancer forwards bytes`,
    );
  const bare = s.backends.flatMap((b, i) => (b.proxy === 'none' ? [i] : []));
  if (bare.length === 0) return;
  const names = bare.map((i) => s.backends[i].name);
  const ws = s.clients.ws;
  const wsClients = ws.initial_sessions > 0 || ws.arrival_rate > 0 || (ws.scheduled?.length ?? 0) > 0;
  for (const i of bare) {
    const b = s.backends[i];
    const at = (...rest: Path): Path => ['backends', i, ...rest];
    if (s.lb.mode !== 'l7')
      issue(
        at('proxy'),
        'nginx, or lb.mode: l7',
        `none needs lb.mode: l7 — drainsim models a balancer straight to the app server in HAProxy mode http; an ${s.lb.mode} balancer would hand the client's own connection to the app (not modelled yet)`,
      );
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
    if (wsClients)
      issue(
        at('proxy'),
        'nginx, or no WebSocket clients',
        'none is not modelled with WebSocket clients yet (their tunnels go through nginx on the VM) — keep proxy: nginx, or drop clients.ws',
      );
  }
  if (bare.length === s.backends.length)
    for (const key of writtenNginxKeys(s.nginx, nginxDefaults as Record<string, unknown>))
      issue(
        ['nginx', key],
        "nginx's default (no nginx setting)",
        `every backend has proxy: none — there is no nginx to configure (backends ${names.join(', ')})`,
      );
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
