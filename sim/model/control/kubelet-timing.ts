/**
 * The kubelet's timing rules, as pure functions and one small state object so they can be tested
 * without a run: when a terminating pod gets SIGTERM and SIGKILL, and how long a crashed
 * container waits before it is started again.
 */

/**
 * pkg/kubelet/kuberuntime/kuberuntime_container.go: `minimumGracePeriodInSeconds = 2`. In
 * killContainer the preStop hook's run time is subtracted from the grace period
 * (`gracePeriod = gracePeriod - m.executePreStopHook(...)`) and what is left is raised to this
 * minimum, so SIGKILL never follows SIGTERM by less than 2 s.
 */
export const MINIMUM_GRACE_PERIOD = 2;

export interface TerminationTimes {
  /** Seconds after the deletion: the preStop hook is over (or cut short) and SIGTERM is sent. */
  sigterm: number;
  /** Seconds after the deletion: SIGKILL for whatever still runs. */
  sigkill: number;
  /** The kubelet had to extend the grace period: preStop used (nearly) all of it. */
  extended: boolean;
}

/**
 * executePreStopHook waits for the hook at most the grace period (it runs the hook in a goroutine
 * and selects on `time.After(gracePeriod)`), then SIGTERM is sent with the grace period that is
 * left, at least MINIMUM_GRACE_PERIOD.
 */
export function terminationTimes(gracePeriod: number, preStop: number): TerminationTimes {
  const sigterm = Math.min(preStop, gracePeriod);
  const left = gracePeriod - sigterm;
  const extended = left < MINIMUM_GRACE_PERIOD;
  return { sigterm, sigkill: sigterm + (extended ? MINIMUM_GRACE_PERIOD : left), extended };
}

/**
 * pkg/kubelet/kubelet.go: `backOffPeriod = 10s`, `MaxContainerBackOff = 300s`, used with
 * client-go util/flowcontrol.Backoff keyed per container.
 */
export const CRASH_BACKOFF_INITIAL = 10;
export const CRASH_BACKOFF_MAX = 300;

/**
 * CrashLoopBackOff of one container (kuberuntime_manager.go doBackOff with flowcontrol.Backoff):
 * at each sync the kubelet asks IsInBackOffSince(key, finishedAt) — the container is held back
 * while now - finishedAt < the current backoff — and, when it starts the container, calls
 * Next(key, finishedAt), which sets the backoff to 10 s the first time and doubles it (capped at
 * 300 s) after. An entry not updated for 2 × max (hasExpired: 10 minutes) counts as new. So
 * the first restart is immediate, the next ones wait 10, 20, 40, … 300 s after the crash, and a
 * container that ran 10 minutes before crashing starts the sequence again.
 */
export class CrashLoopBackoff {
  /** The current backoff (0: no entry yet). */
  private backoff = 0;
  /** When Next was last called: the finish time of the crash it answered. */
  private lastUpdate = -Infinity;

  constructor(
    private readonly initial = CRASH_BACKOFF_INITIAL,
    private readonly max = CRASH_BACKOFF_MAX,
  ) {}

  private expired(at: number): boolean {
    return at - this.lastUpdate > 2 * this.max;
  }

  /** The container finished at `finishedAt`: how long after it the kubelet starts it again. */
  delayAfterCrash(finishedAt: number): number {
    // IsInBackOffSince(key, finishedAt): no entry, or an expired one, means no wait.
    const wait = this.backoff === 0 || this.expired(finishedAt) ? 0 : this.backoff;
    // Next(key, finishedAt) when the container is started.
    this.backoff = this.backoff === 0 || this.expired(finishedAt) ? this.initial : Math.min(this.backoff * 2, this.max);
    this.lastUpdate = finishedAt;
    return wait;
  }
}
