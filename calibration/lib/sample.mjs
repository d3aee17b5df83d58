// Counting sockets by state from `ss -Htan` output, and summarising the port log.

/** Per-state counts; TIME-WAIT split by which end holds it (server = local port is the server's). */
export function countStates(ssOutput, serverPort) {
  const counts = { timeWaitClient: 0, timeWaitServer: 0, established: 0, synSent: 0, finWait: 0, other: 0 };
  const suffix = `:${serverPort}`;
  for (const line of ssOutput.split('\n')) {
    if (line.length === 0) continue;
    const fields = line.trim().split(/\s+/);
    const state = fields[0];
    const local = fields[3] ?? '';
    if (state === 'TIME-WAIT') {
      if (local.endsWith(suffix)) counts.timeWaitServer++;
      else counts.timeWaitClient++;
    } else if (state === 'ESTAB') counts.established++;
    else if (state === 'SYN-SENT') counts.synSent++;
    else if (state.startsWith('FIN-WAIT')) counts.finWait++;
    else if (state !== 'LISTEN') counts.other++;
  }
  return counts;
}

const mean = (xs) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
const round = (x, digits = 3) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/**
 * Statistics of the local ports chosen, in connect() order.
 * step = port − previous port; small positive steps are the walk (__inet_hash_connect), anything
 * else (negative or > maxWalkStep) a jump: a new 10-s offset, a wrap, or a long run of busy ports.
 */
export function portStats(connects, range, maxWalkStep = 64) {
  const [low, high] = range;
  const ports = connects.map((c) => c.port);
  const steps = [];
  const jumps = [];
  const histogram = {};
  for (let k = 1; k < connects.length; k++) {
    const d = ports[k] - ports[k - 1];
    if (d > 0 && d <= maxWalkStep) {
      steps.push(d);
      histogram[d] = (histogram[d] ?? 0) + 1;
    } else {
      jumps.push(connects[k].t);
    }
  }
  const lowParity = low & 1;
  const sameParity = ports.filter((p) => (p & 1) === lowParity).length;
  // 4-tuple reuse: this port was already used towards the same destination less than 60 s ago.
  const lastUse = new Map();
  let reusedWithin60s = 0;
  for (const c of connects) {
    const prev = lastUse.get(c.port);
    if (prev !== undefined && c.t - prev < 60_000) reusedWithin60s++;
    lastUse.set(c.port, c.t);
  }
  // Before any TIME_WAIT can matter (first 9 s), steps show the walk's own randomness.
  const early = [];
  for (let k = 1; k < connects.length && connects[k].t < 9000; k++) {
    const d = ports[k] - ports[k - 1];
    if (d > 0 && d <= maxWalkStep) early.push(d);
  }
  const jumpGaps = [];
  for (let k = 1; k < jumps.length; k++) jumpGaps.push(jumps[k] - jumps[k - 1]);
  return {
    connects: ports.length,
    range: [low, high],
    lowEndParityShare: round(ports.length ? sameParity / ports.length : null),
    distinctPorts: lastUse.size,
    reusedWithin60sShare: round(ports.length ? reusedWithin60s / ports.length : null),
    walkSteps: steps.length,
    walkStepMean: round(mean(steps)),
    walkStepHistogram: histogram,
    walkStepMeanFirst9s: round(mean(early)),
    jumps: jumps.length,
    firstJumpTimesMs: jumps.slice(0, 40),
    medianJumpGapMs: jumpGaps.length ? jumpGaps.sort((a, b) => a - b)[Math.floor(jumpGaps.length / 2)] : null,
  };
}

export { mean, round };

/**
 * How steady the client was: seconds (within the run) whose connects fell below half the rate.
 * When the low-end parity half of the range is full of TIME_WAIT, every connect() scans it before
 * trying the other parity, and a small machine's client stalls in the kernel.
 */
export function stallSeconds(perSecond, rate, seconds) {
  return perSecond.filter((s) => s.t > 1.5 && s.t <= seconds + 0.5 && s.connects + s.failures < rate / 2).length;
}

/** Mean TIME_WAIT over the last `span` seconds of the run, as a multiple of rate × 60 s. */
export function tailRatio(perSecond, rate, seconds, span) {
  const tail = perSecond.filter((s) => s.t > seconds - span && s.t <= seconds + 0.5);
  return tail.length ? round(mean(tail.map((s) => s.timeWait)) / (rate * 60)) : null;
}

/**
 * Sockets of a proxied run by state and by who holds them, from `ss -Htan` inside the namespace:
 * `front` = the proxy's accepted client sockets (local port = frontendPort), `client` = the
 * clients' (peer port = frontendPort), `back:<name>` = the proxy's (and its checks') sockets to a
 * server (peer port = that server's), `server:<name>` = the server's own (local port = its).
 * Returns { [role]: { [state]: count } } without LISTEN sockets.
 */
export function countByRole(ssOutput, frontendPort, serverPorts) {
  const byPort = Object.fromEntries(Object.entries(serverPorts).map(([name, port]) => [String(port), name]));
  const portOf = (addr) => addr.slice(addr.lastIndexOf(':') + 1);
  const out = {};
  for (const line of ssOutput.split('\n')) {
    if (line.length === 0) continue;
    const fields = line.trim().split(/\s+/);
    const state = fields[0];
    if (state === 'LISTEN') continue;
    const local = portOf(fields[3] ?? '');
    const peer = portOf(fields[4] ?? '');
    let role = 'other';
    if (local === String(frontendPort)) role = 'front';
    else if (peer === String(frontendPort)) role = 'client';
    else if (byPort[local]) role = `server:${byPort[local]}`;
    else if (byPort[peer]) role = `back:${byPort[peer]}`;
    out[role] ??= {};
    out[role][state] = (out[role][state] ?? 0) + 1;
  }
  return out;
}
