/**
 * Scenario files the side-by-side bench generates at bench time (into a temporary directory):
 * the peerbench drain model as a drainsim scenario, the fleet of issue 14 and a steady run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * peerbench's drain model (../shared/peerbench/README.md: N clients, 10 backends round robin,
 * lifetime Exp(30 s), think Exp(1 s), response Exp(50 ms), reconnect Exp(0.5 s), backend 0
 * drained at 60 s, 1 s samples, 120 s), as its mapping/drain-as-scenario.py expresses it, in the
 * current format: an initial burst brings ~N connections up in the first 0.5 s, then arrivals at
 * N/31 per s keep ~0.98 N open; requests_per_connection Exp(30) stands for the requests before an
 * Exp(30 s) lifetime ends during Exp(1 s) thinks; pooled upstream connections and a huge worker
 * pool so nothing queues, and nginx's worker_connections not modelled (0: the reference has no
 * connection limit; nginx's default 512 would refuse most of the ~1,000–10,000 clients a VM
 * holds). Same work as the reference: ~2.08 engine events per client request.
 * `mode: nat` is the same model behind an L4 NAT (kube-proxy, IPVS): no balancer host, so no
 * balancer port walk; the clients' own 4-tuples reach the VMs.
 */
export function drainScenario(clients: number, mode: 'l4' | 'nat' = 'l4'): string {
  const backends = Array.from({ length: 10 }, (_, i) => `  - name: b${i}`).join('\n');
  return `name: peer-drain-${mode === 'l4' ? '' : `${mode}-`}${clients}
description: peerbench drain model, N=${clients} clients, 10 backends, backend 0 drained at 60 s
seed: 7
start: "00:00:00"
warmup: 0s
horizon: 120s
sample_interval: 1s
nginx: { keepalive_timeout: 75s, keepalive_requests: 1000000, upstream_keepalive: 1000000, upstream_keepalive_requests: 1000000000, worker_connections: 0 }
app: { workers: 100000, service_time: exp(mean=50ms), queue_limit: 100000 }
lb: { mode: ${mode}, balance: roundrobin }
clients:
  rtt: 0ms
  source_ips: 1000000
  http: { arrival_rate: ${2 * clients}, requests_per_connection: exp(mean=30), think_time: exp(mean=1s) }
backends:
${backends}
timeline:
  - { at: 500ms, do: load, http_rate: ${(clients / 31).toFixed(6)} }
  - { at: 60s, do: drain, backend: b0 }
`;
}

/** Issue 14's fleet: 20 backends, 50k WebSocket sessions and 5k keepalive requests/s
 *  (250 connections/s × 20 requests), one graceful drain half-way through an hour. Each VM's one
 *  nginx worker holds ~2,500 tunnels (2 connections each) and its keep-alive clients: it sets
 *  worker_connections 16384 as ingress-nginx does (nginx's default 512 would refuse them). */
export function fleetScenario(horizon = '1h'): string {
  const backends = Array.from({ length: 20 }, (_, i) => `  - name: b${i}`).join('\n');
  return `name: fleet
description: 20 backends, 50k WebSockets + 5k req/s keepalive, one drain
seed: 1
start: "00:00:00"
warmup: 0s
horizon: ${horizon}
sample_interval: 1s
app: { workers: 200 }
nginx: { worker_connections: 16384 }
lb: { balance: leastconn }
clients:
  http: { arrival_rate: 250, requests_per_connection: "uniform(10, 30)", think_time: exp(mean=1s) }
  ws:
    initial_sessions: 50000
    initial_ramp: 5m
    arrival_rate: 7
    lifetime: lognormal(median=2h, sigma=0.9)
    ping_interval: 30s
    reconnect: { policy: full_jitter, base: 1s, cap: 30s }
backends:
${backends}
timeline:
  - { at: 30m, do: drain, backend: b0 }
`;
}

/** About 300 keepalive clients on 3 backends (10 connections/s living ~30 s) and nothing else:
 *  memory should not depend on how long this runs. */
export function steadyScenario(horizon: string): string {
  return `name: steady-${horizon}
description: ~300 keepalive clients on 3 backends, nothing happens
seed: 1
start: "00:00:00"
warmup: 0s
horizon: ${horizon}
sample_interval: 1s
clients:
  http: { arrival_rate: 10, requests_per_connection: exp(mean=30), think_time: exp(mean=1s) }
backends:
  - name: b0
  - name: b1
  - name: b2
`;
}

/** Write the text to <tmp>/<name>.yaml and return the path. */
export function writeScenario(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drainsim-bench-scenario-'));
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}
