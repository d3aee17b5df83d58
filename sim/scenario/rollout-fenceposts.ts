/** An int-or-percent field of a Deployment's RollingUpdate strategy: `1` or `"25%"`. */
export type IntOrPercent = number | string;

function scaled(value: IntOrPercent, replicas: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.replace('%', ''));
  const exact = (percent * replicas) / 100;
  // intstr.GetScaledValueFromIntOrPercent rounds with math.Ceil or math.Floor; guard the float.
  return roundUp ? Math.ceil(exact - 1e-9) : Math.floor(exact + 1e-9);
}

/**
 * pkg/controller/deployment/util/deployment_util.go ResolveFenceposts: maxSurge rounds up,
 * maxUnavailable rounds down, and if both come out 0, maxUnavailable is 1 (the rollout could not
 * make progress otherwise).
 */
export function resolveFenceposts(
  maxSurge: IntOrPercent,
  maxUnavailable: IntOrPercent,
  replicas: number,
): { surge: number; unavailable: number } {
  const surge = scaled(maxSurge, replicas, true);
  let unavailable = scaled(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}
