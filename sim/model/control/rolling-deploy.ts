import type { Action } from '../../scenario/schema.js';
import type { World } from '../core/world.js';
import { PoolState } from '../lb/pool.js';
export type DeployAction = Extract<Action, { do: 'deploy' }>;
type RollingDeployAction = Extract<Action, { do: 'rolling_deploy' }>;

/** One backend's deploy plan (timeline.ts), with a callback when the backend serves again. */
export type DeployOne = (action: DeployAction, done: () => void) => void;

/**
 * A rolling deploy of VMs as a deploy pipeline runs it (a Spinnaker/Ansible `serial:` rollout, a
 * managed instance group's rolling update with maxUnavailable): the VMs go in batches of
 * `parallel`, each VM through the one-backend deploy (unbind → drain hook → gate → terminate →
 * restart → bind), and the next batch starts `pause_between` after the whole batch serves again,
 * however long its drains took. One drain timeout (the gate's max_wait) governs every step, so
 * `--vary` of it changes the whole rollout. A gate that aborts leaves its VM draining and stops
 * the rollout there, as a pipeline does; a VM put back in service during its gate is not
 * terminated and counts as serving (timeline.ts poll): the rollout goes on.
 */
export class RollingDeploy {
  constructor(
    private readonly w: World,
    private readonly deployOne: DeployOne,
  ) {}

  start(action: RollingDeployAction): void {
    const w = this.w;
    const names = action.backends ?? w.backends.filter((_, i) => w.lb.state[i] === PoolState.BOUND).map((b) => b.name);
    const batches: string[][] = [];
    for (let i = 0; i < names.length; i += action.parallel) batches.push(names.slice(i, i + action.parallel));
    const startedAt = w.now;
    const step = (k: number): void => {
      if (k === batches.length) {
        w.trace.emit({ kind: 'deploy.rolling_complete', vms: names.length, after: w.now - startedAt });
        return;
      }
      const batch = batches[k]!;
      w.trace.emit({ kind: 'deploy.rolling_step', step: k + 1, steps: batches.length, backends: batch });
      let left = batch.length;
      const serving = (): void => {
        if (--left > 0) return;
        // No pause after the last batch: the rollout is complete when it serves.
        if (action.pause_between > 0 && k + 1 < batches.length) w.engine.schedule(action.pause_between, step, k + 1);
        else step(k + 1);
      };
      for (const backend of batch) {
        this.deployOne(
          {
            at: action.at,
            do: 'deploy',
            backend,
            gate: action.gate,
            terminate: action.terminate,
            // The new version serves restart_time after terminate (0 would mean "never" to deploy).
            rebind_after: Math.max(action.restart_time, 1e-3),
          },
          serving,
        );
      }
    };
    step(0);
  }
}
