/** The opening of a narration: what is simulated, in a few sentences built from the scenario. */

import { formatNumber } from '../../reports/terminal/format.js';
import { wallClock } from '../../reports/wall-clock.js';
import type { Scenario } from '../scenario/schema.js';
import { formatDuration } from '../scenario/units.js';

export function setupSentences(scenario: Scenario, seed: number): string[] {
  const d = formatDuration;
  const names = scenario.backends.map((b) => b.name).join(', ');
  // lb.mode: an L4 balancer places connections; an L7 one terminates HTTP and places each request.
  const lb =
    scenario.lb.mode === 'l7'
      ? `an L7 load balancer that terminates HTTP and picks a backend for each request (balance ${scenario.lb.balance})`
      : scenario.lb.mode === 'nat'
        ? `an L4 NAT load balancer (IPVS, kube-proxy, NLB) that forwards each connection's packets to a backend and never retries (balance ${scenario.lb.balance})`
        : `an L4 load balancer that picks a backend for each connection (balance ${scenario.lb.balance})`;
  // backends[].proxy: none — a bare app server, which the balancer connects to itself.
  const bare = scenario.backends.filter((b) => b.proxy === 'none').map((b) => b.name);
  const vm =
    bare.length === 0
      ? 'each a VM with nginx in front of the app'
      : bare.length === scenario.backends.length
        ? scenario.lb.mode === 'l7'
          ? "each a bare app server (no nginx: the balancer connects to the app's own listener)"
          : "each a bare app server (no nginx: the client's own connection reaches the app's listener)"
        : `each a VM with nginx in front of the app, except ${bare.join(', ')}: a bare app server`;
  const out = [
    `${scenario.backends.length} backend${scenario.backends.length === 1 ? '' : 's'} (${names}), ${vm}, behind ${lb}.`,
  ];
  const http = scenario.clients.http;
  if (http.arrival_rate > 0) {
    out.push(
      `HTTP keepalive clients open ${formatNumber(http.arrival_rate)} connection${http.arrival_rate === 1 ? '' : 's'}/s, send ${http.requests_per_connection.spec} requests on each with ${http.think_time.spec} think time between them; ` +
        (bare.length !== scenario.backends.length
          ? `nginx closes a connection idle for keepalive_timeout (${d(scenario.nginx.keepalive_timeout)}).`
          : scenario.lb.mode === 'l7'
            ? 'their connections end at the balancer.'
            : `the app closes a connection idle for its keep-alive timeout (${d(scenario.app.keepalive_timeout)}).`),
    );
  }
  const ws = scenario.clients.ws;
  if (ws.initial_sessions > 0 || ws.arrival_rate > 0) {
    const ping =
      ws.ping_interval === 0 || ws.ping_interval === Infinity ? 'no pings' : `pings every ${d(ws.ping_interval)}`;
    out.push(
      `WebSocket users: ${formatNumber(ws.initial_sessions)} sessions at the start and ${formatNumber(ws.arrival_rate)}/s more, each kept for ${ws.lifetime.spec}; ` +
        (bare.length === scenario.backends.length
          ? `${ping}; no nginx relays the tunnels: the balancer's own timeouts and the app's pings decide idle ones.`
          : `${ping}, nginx proxy_read_timeout ${d(scenario.nginx.proxy_read_timeout)}.`),
    );
  }
  const clock = wallClock(scenario.start);
  const warmup = scenario.warmup > 0 ? ` after ${d(scenario.warmup)} of warmup that builds the steady state` : '';
  out.push(
    `Recorded from ${clock.at(0)} to ${clock.at(scenario.horizon)} (${d(scenario.horizon)})${warmup}; seed ${seed}.`,
  );
  return out;
}
