/**
 * One rolling drain of a fleet, simulated session by session: the Monte Carlo behind the fleet
 * planner. It keeps what the closed forms leave out: sessions cut or moved off one VM land on VMs
 * still to be drained (their remaining life is long: they were long enough to be cut), so later
 * drains cut more, and some sessions are moved twice; the reconnections of a cut arrive together.
 *
 * The model is the one a deploy pipeline runs (sim/model/control/rolling-deploy.ts):
 *  - at t = 0 the fleet is in steady state: N sessions on V VMs (uniform), ages and remaining
 *    lives drawn jointly from the stationary distribution (residual-life.ts), new sessions
 *    arrive at N / E[L] per second (Little's law) onto a random serving VM;
 *  - with a session TTL T the app closes a connection at age T with 1001 and the client
 *    reconnects (continuing its session) within the reconnect window, onto a serving VM;
 *  - VMs are drained `parallel` at a time: unbound, then the step waits until every connection
 *    on them has ended or `timeout` has passed; what is left is cut (1006, or 1001 when the app
 *    sends a drain notice at the timeout) and reconnects; the VM restarts in `restart` and the
 *    next batch starts `pause` after the whole batch is back.
 */
import type { Rng } from '../../engine/random.js';
import type { Distribution } from '../../scenario/distribution.js';
import type { ResidualLife } from '../residual-life.js';
import { EventHeap } from './event-heap.js';

export interface FleetSetting {
  /** Sessions open across the fleet at t = 0. */
  sessions: number;
  vms: number;
  parallel: number;
  /** Session TTL, seconds (Infinity: none). */
  ttl: number;
  /** Drain timeout per step, seconds. */
  timeout: number;
  /** From the end of a VM's drain to the VM serving again. */
  restart: number;
  /** Between a batch being back and the next batch's drain. */
  pause: number;
  /** At the timeout the app closes what is left with 1001 (drain notice) instead of being killed (1006). */
  notice: boolean;
  /** Clients reconnect uniformly within this many seconds after a close. */
  reconnectWindow: number;
}

export interface FleetOutcome {
  /** Connections killed at a drain timeout (close 1006). */
  cut: number;
  /** Graceful closes (1001) during the rollout: TTL closes and drain notices. */
  moved: number;
  /** Sessions closed (1001 or 1006) more than once during the rollout. */
  movedTwice: number;
  /** Sessions closed at least once. */
  disrupted: number;
  /** Busiest second of reconnections. */
  reconnectPeak: number;
  /** From the first drain to the last VM serving again, seconds. */
  rolloutTime: number;
}

enum Ev {
  CONN_END = 0,
  RECONNECT = 1,
  ARRIVAL = 2,
  DRAIN_TIMEOUT = 3,
  VM_UP = 4,
  BATCH = 5,
}

enum Vm {
  SERVING = 0,
  DRAINING = 1,
  DOWN = 2,
}

export function simulateFleetRollout(
  lifetime: Distribution,
  residual: ResidualLife,
  s: FleetSetting,
  rng: Rng,
): FleetOutcome {
  const V = s.vms;
  const T = s.ttl;
  const arrivalRate = s.sessions / residual.integrated.mean;
  const batches = Math.ceil(V / s.parallel);
  const heap = new EventHeap();
  const ev = { time: 0, kind: 0, id: 0, tag: 0 };

  let cap = Math.max(1024, s.sessions * 2);
  let sessEnd = new Float64Array(cap);
  let connStart = new Float64Array(cap);
  let vmOf = new Int32Array(cap);
  let epoch = new Int32Array(cap);
  let closes = new Uint8Array(cap);
  let count = 0;
  const members: Set<number>[] = Array.from({ length: V }, () => new Set<number>());
  const state = new Uint8Array(V);
  const vmEpoch = new Int32Array(V);
  const serving: number[] = Array.from({ length: V }, (_, i) => i);

  const horizonBound = batches * (s.timeout + s.restart + s.pause) + s.reconnectWindow + 2;
  const bins = new Int32Array(Math.ceil(horizonBound) + 1);
  let peak = 0;
  let cut = 0;
  let moved = 0;
  let now = 0;
  let rolloutEnd = -1;
  let batch = 0;
  let batchLeft = 0;

  const grow = (): void => {
    cap *= 2;
    const f = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    sessEnd = f(sessEnd);
    connStart = f(connStart);
    vmOf = i(vmOf);
    epoch = i(epoch);
    const c = new Uint8Array(cap);
    c.set(closes);
    closes = c;
  };

  const place = (id: number, vm: number, start: number): void => {
    vmOf[id] = vm;
    connStart[id] = start;
    members[vm]!.add(id);
    const end = Math.min(sessEnd[id]!, start + T);
    heap.push(end, Ev.CONN_END, id, epoch[id]!);
  };

  const pickServing = (): number => (serving.length === 0 ? -1 : serving[Math.floor(rng.next() * serving.length)]!);

  /** The connection ends on its VM; the client comes back unless the session is over. */
  const leave = (id: number): void => {
    const vm = vmOf[id]!;
    members[vm]!.delete(id);
    vmOf[id] = -1;
    epoch[id]!++;
    if (state[vm] === Vm.DRAINING && members[vm]!.size === 0) drainDone(vm);
  };

  const reconnectLater = (id: number): void => {
    if (closes[id]! < 255) closes[id]!++;
    heap.push(now + rng.next() * s.reconnectWindow, Ev.RECONNECT, id, 0);
  };

  const drainDone = (vm: number): void => {
    vmEpoch[vm]!++;
    state[vm] = Vm.DOWN;
    const left = [...members[vm]!];
    for (const id of left) {
      members[vm]!.delete(id);
      vmOf[id] = -1;
      epoch[id]!++;
      if (s.notice) moved++;
      else cut++;
      reconnectLater(id);
    }
    heap.push(now + s.restart, Ev.VM_UP, vm, 0);
  };

  const startBatch = (): void => {
    const first = batch * s.parallel;
    const vms = Array.from({ length: Math.min(s.parallel, V - first) }, (_, k) => first + k);
    batchLeft = vms.length;
    for (const vm of vms) {
      state[vm] = Vm.DRAINING;
      serving.splice(serving.indexOf(vm), 1);
    }
    for (const vm of vms) {
      if (members[vm]!.size === 0) drainDone(vm);
      else heap.push(now + s.timeout, Ev.DRAIN_TIMEOUT, vm, vmEpoch[vm]!);
    }
  };

  // Steady state at t = 0.
  for (let k = 0; k < s.sessions; k++) {
    const { age, residual: left } = residual.sampleSession(rng);
    const id = count++;
    sessEnd[id] = left;
    const connAge = Number.isFinite(T) ? age % T : age;
    place(id, Math.floor(rng.next() * V), -connAge);
  }
  heap.push(-Math.log(1 - rng.next()) / arrivalRate, Ev.ARRIVAL, 0, 0);
  heap.push(0, Ev.BATCH, 0, 0);

  while (rolloutEnd < 0 && heap.size > 0) {
    heap.pop(ev);
    now = ev.time;
    const id = ev.id;
    switch (ev.kind) {
      case Ev.CONN_END: {
        if (ev.tag !== epoch[id]) break;
        const ttlClose = now < sessEnd[id]!;
        leave(id);
        if (ttlClose) {
          moved++;
          reconnectLater(id);
        }
        break;
      }
      case Ev.RECONNECT: {
        if (now >= sessEnd[id]!) break;
        const bin = Math.floor(now);
        if (bin < bins.length) {
          const c = ++bins[bin]!;
          if (c > peak) peak = c;
        }
        const vm = pickServing();
        if (vm < 0) heap.push(now + s.reconnectWindow, Ev.RECONNECT, id, 0);
        else place(id, vm, now);
        break;
      }
      case Ev.ARRIVAL: {
        if (count === cap) grow();
        const nid = count++;
        sessEnd[nid] = now + lifetime.sample(rng);
        const vm = pickServing();
        if (vm < 0) heap.push(now + s.reconnectWindow, Ev.RECONNECT, nid, 0);
        else place(nid, vm, now);
        heap.push(now - Math.log(1 - rng.next()) / arrivalRate, Ev.ARRIVAL, 0, 0);
        break;
      }
      case Ev.DRAIN_TIMEOUT:
        if (ev.tag === vmEpoch[id] && state[id] === Vm.DRAINING) drainDone(id);
        break;
      case Ev.VM_UP:
        state[id] = Vm.SERVING;
        serving.push(id);
        if (--batchLeft === 0) {
          batch++;
          if (batch === batches) rolloutEnd = now;
          else heap.push(now + s.pause, Ev.BATCH, 0, 0);
        }
        break;
      case Ev.BATCH:
        startBatch();
        break;
    }
  }
  let movedTwice = 0;
  let disrupted = 0;
  for (let id = 0; id < count; id++) {
    const c = closes[id]!;
    if (c >= 1) disrupted++;
    if (c >= 2) movedTwice++;
  }
  return { cut, moved, movedTwice, disrupted, reconnectPeak: peak, rolloutTime: rolloutEnd };
}
