import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importHaproxy } from '../../sim/import/haproxy-cfg.js';
import { configKind, importFiles } from '../../sim/import/import-files.js';
import { Imported } from '../../sim/import/imported.js';
import { runScenario } from '../../sim/run-scenario.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { besidesConnect } from '../import/read-fixture.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'import');
const fixture = (name: string) => join(dir, name);

// biome-ignore lint/suspicious/noExplicitAny: the parsed scenario is checked field by field below.
type Loose = Record<string, any>;

function imported(...names: string[]) {
  const result = importFiles(names.map(fixture));
  return { result, yaml: result.render('test'), scenario: parse(result.render('test')) as Loose };
}

describe('drainsim import', () => {
  it('tells the kinds apart by content: nginx lines end in ; or {, HAProxy has sections, manifests apiVersion', () => {
    expect(configKind('listen 80;\nserver {\n')).toBe('nginx');
    expect(configKind('backend be\n  server a 1.2.3.4:80 check\n')).toBe('haproxy');
    expect(configKind('apiVersion: v1\nkind: Service\n')).toBe('k8s');
  });

  it("reads haproxy.cfg: the backend section's mode wins over defaults, server options, each value with file:line", () => {
    const { yaml, scenario, result } = imported('haproxy.cfg');
    expect(scenario.lb).toMatchObject({
      mode: 'l4',
      balance: 'leastconn',
      retries: 3,
      redispatch: true,
      connect_timeout: '5s',
      slowstart: '30s',
    });
    expect(scenario.health_check).toMatchObject({
      inter: '2s',
      fastinter: '500ms',
      downinter: '5s',
      rise: 2,
      fall: 3,
      timeout: '2s',
    });
    expect(scenario.backends).toEqual([
      { name: 'vm-a', weight: 10 },
      { name: 'vm-b', weight: 1 },
    ]);
    expect(yaml).toContain('connect_timeout: 5s # from haproxy.cfg:17');
    // mode tcp: HAProxy's client/server timeouts and server maxconn are modelled (lb.mode l4).
    expect(yaml).toContain('timeout_client: 50s # from haproxy.cfg:18');
    expect(yaml).toContain('timeout_server: 50s # from haproxy.cfg:19');
    expect(scenario.lb).toMatchObject({ maxconn: 500 });
    expect(result.warnings).toContain(
      'haproxy.cfg:35: http-reuse not modelled for mode tcp (drainsim models it for mode http, lb.mode l7)',
    );
    expect(result.warnings.some((w) => w.startsWith('haproxy.cfg:34: server maxconn'))).toBe(true);
  });

  it('reads nginx.conf: http vs upstream keepalive, proxy timeouts in nginx units, the upgrade headers', () => {
    const { scenario, result, yaml } = imported('nginx.conf');
    expect(scenario.nginx).toMatchObject({
      keepalive_timeout: '1m 5s',
      keepalive_requests: 100,
      upstream_keepalive: 32,
      upstream_keepalive_timeout: '1m',
      proxy_read_timeout: '1h',
      proxy_connect_timeout: '5s',
      worker_shutdown_timeout: '30s',
      listen_backlog: 4096,
      // Debian's events {} block (nginx's own default, unset, is 512).
      worker_connections: 768,
    });
    expect(yaml).toContain('worker_connections: 768 # from nginx.conf:7');
    expect(yaml).toContain('proxy_read_timeout: 1h # from nginx.conf:31');
    expect(yaml).toContain('listen_backlog: 4096 # from nginx.conf:25');
    expect(result.warnings).toContain("nginx.conf:33: 'proxy_buffering' not modelled");
    expect(result.warnings.some((w) => w.includes('WebSocket upgrade headers'))).toBe(true);
  });

  it("warns about what nginx's listen-queue model leaves out; takes the backlog and reuseport from the :443/ssl listen only", () => {
    const { scenario, result } = imported('nginx-listen.conf');
    expect(scenario.nginx.listen_backlog).toBe(2048);
    expect(scenario.nginx.reuseport).toBe(true);
    const warned = (prefix: string) => result.warnings.some((w) => w.startsWith(prefix));
    expect(warned('nginx-listen.conf:2: multi_accept on: not modelled')).toBe(true);
    expect(
      warned("nginx-listen.conf:6: listen 443 ssl backlog=2048 reuseport: 'reuseport' read as nginx.reuseport"),
    ).toBe(true);
    expect(warned("nginx-listen.conf:7: listen 80 backlog=1024 deferred: 'deferred' not modelled")).toBe(true);
    expect(
      warned('nginx-listen.conf:7: listen 80 backlog=1024 deferred: backlog of a listen other than :443/ssl'),
    ).toBe(true);
    expect(warned('nginx-listen.conf:8: listen 8443 ssl backlog=abc: not a backlog nginx accepts')).toBe(true);
  });

  it('reads a Deployment + Service + PDB: replicas, strategy, grace period, preStop sleep, probes; notes the PDB', () => {
    const { scenario, result } = imported('deployment.yaml');
    // Four replicas and room for the one surge pod (maxSurge 1), detached until the rollout uses it.
    expect(scenario.backends).toHaveLength(5);
    expect(scenario.backends[4]).toMatchObject({ state: 'detached' });
    expect(result.warnings.some((w) => w.includes('room for 1 surge pod assumed'))).toBe(true);
    expect(scenario.timeline[0]).toMatchObject({
      do: 'rollout',
      max_surge: 1,
      max_unavailable: 0,
      termination_grace_period: '60s',
      prestop_sleep: '10s',
      min_ready_seconds: '5s',
    });
    expect(scenario.probes.readiness).toMatchObject({ type: 'http', period: '5s', failure_threshold: 2 });
    expect(result.warnings.some((w) => /^deployment\.yaml:\d+: PodDisruptionBudget/.test(w))).toBe(true);
  });

  it('yields scenarios that validate and run', () => {
    for (const name of ['haproxy.cfg', 'nginx.conf', 'deployment.yaml']) {
      const { scenario } = imported(name);
      const resolved = ScenarioSchema.parse({ ...scenario, horizon: '2m', clients: { http: { arrival_rate: 5 } } });
      const result = runScenario(resolved, { seed: 1 });
      expect(result.figures['responses_5xx.total'] ?? 0).toBeGreaterThanOrEqual(0);
      expect(result.engineEvents).toBeGreaterThan(100);
    }
  });
});

describe('haproxy.cfg http-reuse and pool-purge-delay (mode http only)', () => {
  const text = (mode: string, reuse = 'always') =>
    `defaults\n  mode ${mode}\n  http-reuse ${reuse}\nbackend be\n  server a 10.0.0.1:80 pool-purge-delay 10s\n`;

  it('imports them in mode http', () => {
    const into = new Imported();
    importHaproxy(text('http'), 'h.cfg', into);
    const out = into.render('');
    expect(out).toContain('http_reuse: always # from h.cfg:3');
    expect(out).toContain('pool_purge_delay: 10s # from h.cfg:5');
    expect(besidesConnect(into.warnings)).toEqual([]);
  });

  it('warns in mode tcp, and on a mode drainsim does not know', () => {
    const tcp = new Imported();
    importHaproxy(text('tcp'), 'h.cfg', tcp);
    expect(tcp.render('')).not.toContain('http_reuse');
    expect(tcp.warnings).toContain(
      'h.cfg:3: http-reuse not modelled for mode tcp (drainsim models it for mode http, lb.mode l7)',
    );
    const odd = new Imported();
    importHaproxy(text('http', 'sometimes'), 'h.cfg', odd);
    expect(odd.warnings).toContain('h.cfg:3: http-reuse sometimes not modelled (never, safe, aggressive, always are)');
  });
});

describe('haproxy.cfg settings drainsim models for a proxy (mode tcp and http)', () => {
  const cfg = (mode: string): string =>
    `defaults\n  mode ${mode}\n  timeout client 30s\n  timeout queue 5s\nbackend be\n  server a 10.0.0.1:80 maxconn 100\n  server b 10.0.0.2:80 maxconn 100\n`;

  for (const mode of ['tcp', 'http']) {
    it(`imports timeout client/queue and server maxconn in mode ${mode}`, () => {
      const into = new Imported();
      importHaproxy(cfg(mode), 'h.cfg', into);
      const text = into.render('');
      expect(text).toContain('timeout_client: 30s # from h.cfg:3');
      expect(text).toContain('timeout_queue: 5s # from h.cfg:4');
      expect(text).toContain('maxconn: 100 # from h.cfg:7');
      expect(besidesConnect(into.warnings)).toEqual([]);
    });
  }

  it('timeout http-keep-alive and http-request in mode http only (http-request: lb.http_request_timeout, session 24)', () => {
    const text = (mode: string) =>
      `defaults\n  mode ${mode}\n  timeout http-keep-alive 10s\n  timeout http-request 5s\nbackend be\n  server a 10.0.0.1:80\n`;
    const http = new Imported();
    importHaproxy(text('http'), 'h.cfg', http);
    expect(http.render('')).toContain('http_keep_alive_timeout: 10s # from h.cfg:3');
    expect(http.render('')).toContain('http_request_timeout: 5s # from h.cfg:4');
    expect(besidesConnect(http.warnings)).toEqual([]);
    const tcp = new Imported();
    importHaproxy(text('tcp'), 'h.cfg', tcp);
    expect(tcp.render('')).not.toContain('http_keep_alive_timeout');
    expect(tcp.warnings).toContain(
      'h.cfg:3: timeout http-keep-alive not modelled for mode tcp (drainsim models it for mode http, lb.mode l7)',
    );
  });
});

describe('haproxy.cfg server maxqueue and option persist', () => {
  it('imports server maxqueue with maxconn, and option persist with a cookie in mode http', () => {
    const into = new Imported();
    importHaproxy(
      'defaults\n  mode http\n  option persist\nbackend be\n  cookie SRV insert\n  server a 10.0.0.1:80 maxconn 10 maxqueue 5\n  server b 10.0.0.2:80 maxconn 10 maxqueue 5\n',
      'h.cfg',
      into,
    );
    const text = into.render('');
    expect(text).toContain('maxqueue: 5 # from h.cfg:7');
    expect(text).toContain('persist: true # from h.cfg:3');
    expect(besidesConnect(into.warnings)).toEqual([]);
  });

  it('maxqueue without maxconn, and option persist without a cookie, are warnings (the scenario would be invalid)', () => {
    const into = new Imported();
    importHaproxy(
      'defaults\n  mode http\n  option persist\nbackend be\n  server a 10.0.0.1:80 maxqueue 5\n',
      'h.cfg',
      into,
    );
    const text = into.render('');
    expect(text).not.toMatch(/^\s+maxqueue:/m);
    expect(text).not.toMatch(/^\s+persist:/m);
    expect(besidesConnect(into.warnings)).toEqual([
      expect.stringMatching(/^h\.cfg:5: server maxqueue without one imported server maxconn/),
      expect.stringMatching(
        /^h\.cfg:3: option persist not modelled without persistence \(lb.persist needs sticky: cookie/,
      ),
    ]);
  });
});
