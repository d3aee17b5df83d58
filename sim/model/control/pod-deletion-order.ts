/**
 * Which pod a ReplicaSet scales down first. pkg/controller/replicaset/replica_set.go
 * getPodsToDelete ranks the ReplicaSet's active pods with pkg/controller/controller_utils.go
 * ActivePodsWithRanks and deletes the first ones; a rolling update's old ReplicaSet is scaled down
 * that way one step at a time (the Deployment controller lowers its replicas, the ReplicaSet
 * controller picks the pod). Less(i, j), pod i preferred for deletion:
 * 1. unassigned before assigned; 2. phase Pending < Unknown < Running; 3. not Ready before Ready;
 * 4. lower pod-deletion-cost first; 5. more active pods of the Deployment on its node first (getPodsRankedByRelatedPodsOnSameNode: IsPodActive);
 * 6. both Ready: Ready more recently first; 7. more container restarts first; 8. created more
 * recently first. In 6 and 8 the ages are compared on a log2 scale (LogarithmicScaleDown, GA:
 * `int64(math.Log2(float64(now − t)))` in nanoseconds) and pods in one bucket are ordered by UID,
 * a pseudorandom order; equal times (or all rules equal) leave the order to sort.Sort.
 *
 * What drainsim's pods have of these: every old pod is assigned and Running (a container in
 * CrashLoopBackOff leaves its pod Running), none has a deletion cost, and each backend is its own
 * node (1-4 equal but Ready, 5 equal). The pseudorandom UID order of a bucket and the ties are
 * the order the scenario lists the pods in (a stable pick of the first best). The scenario's pods
 * were Ready and created before the run: their times are unknown, taken as older than any time in
 * the run, and equal among them.
 */
export interface DeletionFacts {
  /** The pod's Ready condition. */
  ready: boolean;
  /** When its Ready condition last became True (-Infinity: before the run). */
  readySince: number;
  /** Its container's restartCount. */
  restarts: number;
  /** When it was created (-Infinity: before the run). */
  createdAt: number;
}

/**
 * logarithmicRankDiff's bucket of an age: the whole log2 of the nanoseconds since `t`, −1 for none;
 * a time before the run is in a bucket above every time in it.
 */
function ageBucket(t: number, now: number): number {
  if (t === -Infinity) return Infinity;
  const ns = (now - t) * 1e9;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** ActivePodsWithRanks.Less as drainsim's pods have it: `a` goes before `b` (strictly). */
export function deletedBefore(a: DeletionFacts, b: DeletionFacts, now: number): boolean {
  if (a.ready !== b.ready) return !a.ready;
  if (a.ready && b.ready && a.readySince !== b.readySince) {
    const diff = ageBucket(a.readySince, now) - ageBucket(b.readySince, now);
    if (diff !== 0) return diff < 0;
    return false; // one bucket: UID order (the listed order here)
  }
  if (a.restarts !== b.restarts) return a.restarts > b.restarts;
  if (a.createdAt !== b.createdAt) return ageBucket(a.createdAt, now) < ageBucket(b.createdAt, now);
  return false;
}

/** The index in `pods` of the pod the ReplicaSet deletes first: the first of the best-ranked. */
export function nextToDelete(pods: readonly number[], facts: (b: number) => DeletionFacts, now: number): number {
  let best = 0;
  let bestFacts = facts(pods[0]);
  for (let i = 1; i < pods.length; i++) {
    const f = facts(pods[i]);
    if (deletedBefore(f, bestFacts, now)) {
      best = i;
      bestFacts = f;
    }
  }
  return best;
}
