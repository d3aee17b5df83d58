// A short experiment on the real nginx binary, so the nginx calibration cannot rot: it runs when
// this machine can create network namespaces and has nginx installed, and is skipped with the
// reason otherwise. Everything (nginx, its node backend, the clients) runs inside a namespace the
// harness creates and deletes; nginx gets a private prefix in a temporary directory.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs harness without type declarations
import { namespaceSupport } from '../../calibration/lib/netns.mjs';
// @ts-expect-error plain .mjs harness without type declarations
import { runNginxExperiment } from '../../calibration/nginx/experiment.mjs';
// @ts-expect-error plain .mjs harness without type declarations
import { NGINX_LIVE_CHECK } from '../../calibration/nginx/experiments.mjs';
// @ts-expect-error plain .mjs harness without type declarations
import { nginxVersion } from '../../calibration/nginx/nginx.mjs';

const ns = namespaceSupport() as { ok: boolean; reason: string };
const version = nginxVersion() as string | null;
const skipReason = !ns.ok ? ns.reason : version === null ? 'nginx is not installed' : '';

type Tunnel = { opened: boolean; lifetimeS: number | null; clientSaw: string | null };

describe('nginx calibration on the real binary', () => {
  it.skipIf(skipReason !== '')(
    `proxy_read_timeout 3s on upgraded tunnels: only the idle one closes, at 3 s ± 1 s; traffic in either direction keeps a tunnel open${
      skipReason ? ` (skipped: ${skipReason})` : ''
    }`,
    async () => {
      const data = await runNginxExperiment({ ...NGINX_LIVE_CHECK, tag: 'nginxlive' });
      expect(data.stamp.nginx).toMatch(/^nginx version: nginx\//);
      expect(data.stamp.nginxConf).toContain('proxy_read_timeout 3s;');
      const tunnels = data.summary.tunnels as Record<string, Tunnel>;
      for (const t of Object.values(tunnels)) expect(t.opened).toBe(true);
      // ngx_http_upstream_process_upgraded: no traffic for proxy_read_timeout → FIN (EOF).
      expect(tunnels.idle.clientSaw).toBe('eof');
      expect(tunnels.idle.lifetimeS).toBeGreaterThan(2);
      expect(tunnels.idle.lifetimeS).toBeLessThan(4);
      // The upstream read timer is re-armed by bytes in either direction: these outlive 3 s
      // until the client ends them (the run lasts 8 s).
      for (const id of ['client-1s', 'server-1s', 'both-1s']) {
        expect(tunnels[id].clientSaw).toBe('client-closed');
        expect(tunnels[id].lifetimeS).toBeGreaterThan(6);
      }
      // Client bytes only every 4 s: the 3-s timer runs out before the first one.
      expect(tunnels['client-4s'].clientSaw).toBe('eof');
      expect(tunnels['client-4s'].lifetimeS).toBeLessThan(4);
      expect(data.perSecond.length).toBeGreaterThanOrEqual(8);
      // One worker generation, never shutting down; the namespace is gone.
      expect(data.workers.length).toBe(1);
      const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      expect(left).not.toContain(`drainsim-cal-${process.pid}-nginxlive`);
    },
    60_000,
  );
});
