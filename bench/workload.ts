/** What a benchmark workload reports. `events` is required; any other numbers are fingerprints
 *  (final simulated time, counters) that show two runs did the same work. */
export interface WorkloadResult {
  events: number;
  [detail: string]: number;
}

/** One named benchmark. `run` does all its work synchronously; the harness times the call. */
export interface Workload {
  name: string;
  description: string;
  /** Run only when named (`--workload NAME`), not by a plain `npm run bench`: minutes long. */
  onDemand?: true;
  run(): WorkloadResult;
}
