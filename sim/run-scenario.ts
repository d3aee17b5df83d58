import type { Histogram } from './metrics/histogram.js';
import type { RunResult } from './result.js';
import type { Scenario } from './scenario/schema.js';
import { HttpClients } from './components/http-clients.js';
import { LbConnector } from './components/lb-connect.js';
import { Lifecycle } from './components/lifecycle.js';
import { Orchestrator } from './components/orchestrator.js';
import { RequestPath } from './components/request-path.js';
import { AppServer } from './components/app-server.js';
import { WsClients } from './components/ws-clients.js';
import { RequestClients } from './components/request-clients.js';
import { startHealth } from './components/health.js';
import { Rollout } from './components/k8s.js';
import { World } from './components/world.js';
import { computeFigures } from './figures.js';
import { packageVersion } from './scenario/package-root.js';
import { runEngineWithin, type RunBudget } from './scenario/work-budget.js';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Scenario file shown in outputs (relative path or built-in name). */
  file?: string;
  /** Called with simulated progress 0..1 (for progress bars). */
  onProgress?: (fraction: number) => void;
  /** Stops a run that passes its events or memory limit (scenario/work-budget.ts); none by default. */
  budget?: RunBudget;
}

/** The model of one run, exposed for tests that look inside. */
export interface Model {
  world: World;
  http: HttpClients;
  ws: WsClients;
  requests: RequestClients;
  app: AppServer;
  orchestrator: Orchestrator;
  lifecycle: Lifecycle;
}

/** Build the world for a resolved scenario: components wired to one engine. */
export function buildModel(scenario: Scenario): Model {
  const world = new World(scenario);
  const connector = new LbConnector(world);
  const app = new AppServer(world);
  const path = new RequestPath(world, app);
  const http = new HttpClients(world, connector, path);
  const ws = new WsClients(world, connector, path);
  const requests = new RequestClients(world, app);
  const lifecycle = new Lifecycle(world, http, ws, path);
  const orchestrator = new Orchestrator(world, lifecycle, http, ws, requests, app, new Rollout(world, lifecycle));
  defineGauges(world, ws);
  return { world, http, ws, requests, app, orchestrator, lifecycle };
}

function defineGauges(w: World, ws: WsClients): void {
  const m = w.metrics;
  const n = w.backends.length;
  m.gauge('active_conn', 'conn', 'Flows the LB tracks to the backend (ESTABLISHED through the LB)', (e) => w.lb.active[e]);
  m.gauge('time_wait', 'socket', 'TIME_WAIT sockets on the VM (the tw of ss -s)', (e) => w.backends[e].timeWaitCount(w.now));
  m.gauge('ws_sessions', 'session', 'Open WebSocket sessions on the app', (e) => w.backends[e].wsSessions.size);
  m.gauge(
    'ws_avg_age',
    's',
    'Average age of the open WebSocket sessions',
    (e) => ws.averageAge(w.backends[e]),
    () => {
      let sessions = 0;
      let ageSum = 0;
      for (const b of w.backends) {
        sessions += b.wsSessions.size;
        ageSum += ws.averageAge(b) * b.wsSessions.size;
      }
      return sessions === 0 ? 0 : ageSum / sessions;
    },
  );
  m.gauge('upstream_ports_busy', 'port', 'Ephemeral ports towards the app in use or in TIME_WAIT', (e) => {
    const p = w.backends[e].upstreamPorts;
    return p.inUse + p.timeWaitHeld;
  });
  m.gauge('app_busy', 'worker', 'App workers serving a request', (e) => w.backends[e].busyWorkers);
  m.gauge('app_queue', 'req', 'Requests waiting for an app worker', (e) => w.backends[e].appQueueLength);
  m.gauge(
    'utilisation',
    'fraction',
    'Busy workers / workers (total: mean over backends)',
    (e) => w.backends[e].busyWorkers / w.backends[e].app.workers,
    () => w.backends.reduce((sum, b) => sum + b.busyWorkers / b.app.workers, 0) / n,
  );
  m.gauge('in_service', 'bool', 'Health checks and readiness let the backend take traffic (total: backends in service)', (e) => (w.lb.inService(e) ? 1 : 0));
  m.gauge(
    'pool_state',
    'state',
    'LB pool state: 0 BOUND, 1 DRAINING, 2 DETACHED (total: backends BOUND)',
    (e) => w.lb.state[e],
    () => {
      let bound = 0;
      for (let b = 0; b < n; b++) if (w.lb.state[b] === 0) bound++;
      return bound;
    },
  );
}

/** Schedule the model's first events: clients, timeline, end of warmup, samples. */
export function startModel(model: Model): void {
  const { world } = model;
  const engine = world.engine;
  const interval = world.scenario.sample_interval;
  const horizon = world.scenario.horizon;
  model.http.start();
  model.ws.start();
  model.requests.start();
  model.orchestrator.start();
  startHealth(world, model.app, model.lifecycle);
  engine.at(0, () => world.metrics.resetCounters(), null);
  const sample = (k: number): void => {
    world.metrics.sample(k * interval);
    if (k * interval < horizon) engine.at((k + 1) * interval, sample, k + 1);
  };
  engine.at(interval, sample, 1);
  engine.at(60, observeSockets, world);
}

/** Run a resolved scenario to its horizon and collect the result. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const seed = options.seed ?? scenario.seed;
  const resolved: Scenario = { ...scenario, seed };
  const model = buildModel(resolved);
  const { world } = model;
  const engine = world.engine;
  const horizon = resolved.horizon;
  startModel(model);
  const chunks = 100;
  for (let i = 1; i <= chunks; i++) {
    const until = -resolved.warmup + ((horizon + resolved.warmup) * i) / chunks;
    if (options.budget) runEngineWithin(engine, until, options.budget);
    else engine.run(until);
    options.onProgress?.(i / chunks);
  }
  const { timeline, histograms } = world.metrics.result();
  const events = world.log.finish();
  return {
    scenario: { name: resolved.name ?? 'scenario', file: options.file ?? '', description: resolved.description },
    seed,
    version: packageVersion(),
    start: resolved.start,
    horizon,
    resolved,
    figures: computeFigures(timeline, model.orchestrator.drains, histograms, world.metrics.peaks()),
    histograms: summaries(histograms),
    timeline,
    events,
    expectations: [],
    engineEvents: engine.fired,
  };
}

/**
 * Once a minute, an `ss -s` line for each VM holding many TIME_WAIT sockets, the way an operator
 * watching the surge would record it (seed Part 6 case 3).
 */
/** Below this many TIME_WAIT sockets a VM is not worth an `ss -s` line. */
const SS_LOG_MIN_TIME_WAIT = 10_000;

function observeSockets(w: World): void {
  for (const b of w.backends) {
    const tw = b.timeWaitCount(w.now);
    if (tw < SS_LOG_MIN_TIME_WAIT) continue;
    const inuse = b.conns.size + b.upstreamPorts.inUse;
    w.log.log('kernel', `${b.name}: ss -s: TCP: inuse ${inuse} orphan 0 tw ${tw}`);
  }
  if (w.now + 60 <= w.scenario.horizon) w.engine.schedule(60, observeSockets, w);
}

function summaries(histograms: Map<string, Histogram>): RunResult['histograms'] {
  const out: RunResult['histograms'] = {};
  for (const name of [...histograms.keys()].sort()) out[name] = histograms.get(name)!.summary();
  return out;
}
