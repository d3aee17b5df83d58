// Turning one run's raw lines (client events, HAProxy's log, `show stat` samples) into the data
// file: per-second client outcomes, HAProxy's view per second, state transitions, and the figures
// the model is compared with (time to DOWN/UP, drain time to empty, what shutdown did to streams).

const round = (x, d = 3) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);
const inc = (o, k, n = 1) => {
  o[k] = (o[k] ?? 0) + n;
};
/** { key: count } over items. */
const countBy = (items, key) => {
  const counts = {};
  for (const item of items) inc(counts, key(item));
  return counts;
};

function parseClient(lines, t0) {
  const rel = (ms) => (Number(ms) - t0) / 1000;
  const requests = [];
  const idleCloses = [];
  const skips = [];
  const streams = [];
  const late = [];
  for (const line of lines) {
    const f = line.split(' ');
    if (f[0] === 'r') requests.push({ sent: rel(f[1]), done: rel(f[2]), outcome: f[3], server: f[4] });
    else if (f[0] === 'x') idleCloses.push({ t: rel(f[1]), why: f[2], server: f[3] });
    else if (f[0] === 'skip') skips.push(rel(f[1]));
    else if (f[0] === 'late') late.push({ t: rel(f[1]), n: Number(f[2]) });
    else if (f[0] === 's')
      streams.push({ t: rel(f[1]), event: f[2], index: Number(f[3]), server: f[4], ticks: Number(f[5]) });
  }
  return { requests, idleCloses, skips, streams, late };
}

/** HAProxy's per-stream log lines (see config.mjs LOG_FORMAT) and its other messages. */
function parseHaproxy(lines, t0) {
  const logs = [];
  const messages = [];
  for (const { t, line } of lines) {
    const f = line.split(' ');
    if (f[0] === 'L' && f.length >= 9) {
      logs.push({
        // %Ts.%ms is when the stream started (its accept date); t is when it ended.
        start: round(Number(f[1]) - t0 / 1000),
        t: round(Number(f[1]) - t0 / 1000 + Number(f[8]) / 1000),
        server: f[2],
        status: f[3],
        term: f[4],
        retries: Number(f[5].replace('+', '')),
        redispatched: f[5].startsWith('+'),
        Tw: Number(f[6]),
        Tc: Number(f[7]),
        Tt: Number(f[8]),
      });
    } else if (line.trim().length > 0) messages.push({ t, line });
  }
  return { logs, messages };
}

/** Each change of a server's `status` between consecutive samples. */
function transitions(samples, server) {
  const out = [];
  let prev = null;
  for (const s of samples) {
    const row = s[server];
    if (!row) continue;
    if (prev !== null && row.status !== prev) {
      out.push({ t: s.t, server, from: prev, to: row.status, check_status: row.check_status, chkfail: row.chkfail });
    }
    prev = row.status;
  }
  return out;
}

function perSecond(client, haproxy, samples, seconds, serverNames) {
  const rows = [];
  for (let s = 0; s < Math.ceil(seconds); s++) {
    const inBucket = (t) => t >= s && t < s + 1;
    const outcomes = {};
    const okByServer = {};
    let sent = 0;
    for (const r of client.requests) {
      if (inBucket(r.sent)) sent++;
      if (!inBucket(r.done)) continue;
      inc(outcomes, r.outcome);
      if (r.outcome === 'ok') inc(okByServer, r.server);
    }
    const idleCloses = {};
    for (const x of client.idleCloses) if (inBucket(x.t)) inc(idleCloses, `${x.why}:${x.server}`);
    const term = {};
    let retried = 0;
    let redispatched = 0;
    for (const l of haproxy.logs) {
      if (!inBucket(l.t)) continue;
      inc(term, `${l.term}${l.status === '-' ? '' : `/${l.status}`}`);
      if (l.retries > 0) retried++;
      if (l.redispatched) redispatched++;
    }
    // The last `show stat` sample of this second.
    const sample = samples.filter((x) => !x.error && x.t < s + 1).at(-1);
    const pick = (row) =>
      row && {
        status: row.status,
        scur: row.scur,
        chkfail: row.chkfail,
        check_status: row.check_status,
        wretr: row.wretr,
        wredis: row.wredis,
      };
    rows.push({
      t: s + 1,
      sent,
      outcomes,
      okByServer,
      idleCloses,
      skips: client.skips.filter(inBucket).length,
      haproxyLog: { term, retried, redispatched },
      stat: sample ? { t: sample.t, ...Object.fromEntries(serverNames.map((n) => [n, pick(sample[n])])) } : null,
    });
  }
  return rows;
}

const actionTime = (actions, pred) => actions.find(pred)?.t ?? null;

export function summarise(config, raw) {
  const client = parseClient(raw.clientLines, raw.t0);
  const haproxy = parseHaproxy(raw.haproxyLines, raw.t0);
  const lastT = raw.samples.at(-1)?.t ?? config.seconds;
  const serverNames = config.serverNames ?? ['s1', 's2'];
  const events = serverNames.flatMap((n) => transitions(raw.samples, n)).sort((a, b) => a.t - b.t);
  const outcomes = {};
  for (const r of client.requests) inc(outcomes, r.outcome);
  const term = {};
  for (const l of haproxy.logs) inc(term, `${l.term}${l.status === '-' ? '' : `/${l.status}`}`);
  // The machine is shared: gaps between 250-ms samples show when this run's processes stalled.
  const stalls = [];
  for (let i = 1; i < raw.samples.length; i++) {
    const gap = raw.samples[i].t - raw.samples[i - 1].t;
    if (gap > 0.6) stalls.push([round(raw.samples[i - 1].t, 2), round(gap, 2)]);
  }
  // The client ran config.seconds, or less when the run ended early (endWhen).
  const clientSeconds = Math.min(config.seconds, lastT);
  const summary = {
    requestsSent: client.requests.length,
    offeredRate: config.requests?.rate ?? 0,
    achievedRequestRate: round(client.requests.filter((r) => r.sent < clientSeconds).length / clientSeconds, 2),
    requestsDroppedByClientStalls: client.late.reduce((a, x) => a + x.n, 0),
    samplingStalls: stalls,
    maxStallS: stalls.length ? Math.max(...stalls.map((x) => x[1])) : 0,
    outcomes,
    skips: client.skips.length,
    idleCloses: countBy(client.idleCloses, (x) => x.why),
    haproxyTermination: term,
    haproxyRetried: haproxy.logs.filter((l) => l.retries > 0).length,
    haproxyRedispatched: haproxy.logs.filter((l) => l.redispatched).length,
    // Keys the generic `npm run calibrate` log line prints.
    connects: client.requests.filter((r) => r.outcome === 'ok').length,
    failures: client.requests.filter((r) => r.outcome !== 'ok').length,
    achievedAttemptRate: round(client.requests.length / clientSeconds, 2),
  };
  const acts = raw.actionsDone;
  const down = events.find((e) => e.server === 's1' && e.to.startsWith('DOWN'));
  const killAt = actionTime(acts, (a) => a.op === 'kill' || a.op === 'stop');
  if (killAt !== null) {
    summary.failedAt = killAt;
    summary.downAt = down?.t ?? null;
    summary.timeToDownS = down ? round(down.t - killAt, 2) : null;
    summary.downCheckStatus = down?.check_status ?? null;
    const logDown = haproxy.messages.find((m) => /Server be\/s1 is DOWN/.test(m.line));
    summary.downLogLine = logDown ? { t: logDown.t, line: logDown.line } : null;
    // HAProxy's own message is read within ms; the 250-ms samples bound it from above.
    summary.timeToDownLogS = logDown ? round(logDown.t - killAt, 2) : null;
    const outageEnd = down?.t ?? lastT;
    const during = client.requests.filter((r) => r.done >= killAt && r.done < outageEnd + 1);
    summary.outcomesKillToDownPlus1s = countBy(during, (r) => r.outcome);
    const errs = client.requests.filter((r) => r.outcome !== 'ok');
    summary.firstErrorS = errs.length ? round(Math.min(...errs.map((r) => r.done)), 3) : null;
    summary.lastErrorS = errs.length ? round(Math.max(...errs.map((r) => r.done)), 3) : null;
    const failLatency = errs.map((r) => r.done - r.sent).sort((a, b) => a - b);
    summary.errorLatencyS = failLatency.length
      ? {
          min: round(failLatency[0]),
          median: round(failLatency[Math.floor(failLatency.length / 2)]),
          max: round(failLatency.at(-1)),
        }
      : null;
  }
  const restartAt = actionTime(acts, (a) => a.op === 'restart' || a.op === 'cont');
  if (restartAt !== null) {
    const up = events.find((e) => e.server === 's1' && e.t > restartAt && e.to === 'UP');
    summary.recoveredAt = restartAt;
    summary.upAt = up?.t ?? null;
    summary.timeToUpS = up ? round(up.t - restartAt, 2) : null;
    const logUp = haproxy.messages.find((m) => m.t > restartAt && /Server be\/s1 is UP/.test(m.line));
    summary.upLogLine = logUp ? { t: logUp.t, line: logUp.line } : null;
    summary.timeToUpLogS = logUp ? round(logUp.t - restartAt, 2) : null;
    const firstOk = client.requests.find((r) => r.outcome === 'ok' && r.server === 's1' && r.sent > restartAt);
    summary.firstOkFromS1AfterRestartS = firstOk ? round(firstOk.done, 3) : null;
  }
  const drainAt = actionTime(acts, (a) => a.op === 'cmd' && /state drain/.test(a.command));
  if (drainAt !== null) {
    const at = raw.samples.filter((s) => s.s1 && s.t <= drainAt).at(-1);
    const empty = raw.samples.find((s) => s.s1 && s.t > drainAt && s.s1.scur === 0);
    summary.drainAt = drainAt;
    summary.s1ScurAtDrain = at?.s1.scur ?? null;
    summary.s1StatusAfterDrain = raw.samples.find((s) => s.s1 && s.t > drainAt)?.s1.status ?? null;
    summary.emptyAt = empty?.t ?? null;
    summary.timeToEmptyS = empty ? round(empty.t - drainAt, 2) : null;
    summary.okFromS1AfterDrain = client.requests.filter(
      (r) => r.outcome === 'ok' && r.server === 's1' && r.sent > drainAt + 0.05,
    ).length;
    summary.haproxyLogS1AfterDrain = haproxy.logs.filter((l) => l.server === 's1' && l.t > drainAt + 0.05).length;
    summary.haproxyStreamsStartedOnS1AfterDrain = haproxy.logs.filter(
      (l) => l.server === 's1' && l.start > drainAt + 0.05,
    ).length;
    // The client's own view: when it closed the last connection known to be on s1 (tcp mode:
    // HAProxy's scur for s1 should reach 0 then); connections that never got a response are '-'.
    const s1Closes = client.idleCloses.filter((x) => x.server === 's1' && x.t > drainAt);
    summary.lastS1CloseByClientS = s1Closes.length ? round(Math.max(...s1Closes.map((x) => x.t)) - drainAt, 3) : null;
    summary.unknownServerClosesAfterDrain = client.idleCloses.filter((x) => x.server === '-' && x.t > drainAt).length;
    const maintAt = actionTime(acts, (a) => a.op === 'cmd' && /state maint/.test(a.command));
    if (maintAt !== null) {
      summary.maintAt = maintAt;
      summary.okFromS1DrainToMaint = client.requests.filter(
        (r) => r.outcome === 'ok' && r.server === 's1' && r.sent > drainAt + 0.05 && r.sent < maintAt,
      ).length;
      summary.okFromS1AfterMaint = client.requests.filter(
        (r) => r.outcome === 'ok' && r.server === 's1' && r.sent > maintAt + 0.05,
      ).length;
      summary.okFromS2AfterMaint = client.requests.filter(
        (r) => r.outcome === 'ok' && r.server === 's2' && r.sent > maintAt + 0.05,
      ).length;
    }
    summary.s1ScurAfterDrain = raw.samples
      .filter((s) => s.s1 && s.t > drainAt)
      .filter((_, i) => i % 4 === 3)
      .map((s) => [s.t, s.s1.scur]);
  }
  const shutdownAt = actionTime(acts, (a) => a.op === 'cmd' && /shutdown sessions/.test(a.command));
  if (config.streams) {
    const opened = client.streams.filter((s) => s.event === 'open');
    const ended = client.streams.filter((s) => s.event !== 'open');
    const byServer = {};
    for (const o of opened) {
      const end = ended.find((e) => e.index === o.index);
      byServer[o.server] ??= { opened: 0, ended: {}, endTimesS: [] };
      const row = byServer[o.server];
      row.opened++;
      if (end) {
        inc(row.ended, end.event);
        row.endTimesS.push(round(end.t, 3));
      }
    }
    summary.streams = { count: config.streams.count, byServer };
    if (summary.downLogLine) {
      // on-marked-down shutdown-sessions: the streams of s1 end when HAProxy marks it DOWN.
      const downT = summary.downLogLine.t;
      const atDown = ended.filter((e) => e.t >= downT - 0.5);
      summary.streamEndsAroundDown = countBy(atDown, (e) => `${e.event}:${e.server}`);
      summary.streamEndDelayAfterDownS = atDown.length
        ? {
            min: round(Math.min(...atDown.map((e) => e.t)) - downT),
            max: round(Math.max(...atDown.map((e) => e.t)) - downT),
          }
        : null;
      summary.haproxyLogS1AroundDown = countBy(
        haproxy.logs.filter((l) => l.t >= downT - 0.5 && l.server === 's1'),
        (l) => `${l.term}/${l.status}`,
      );
    }
    if (shutdownAt !== null) {
      summary.shutdownAt = shutdownAt;
      const afterShutdown = ended.filter((e) => e.t >= shutdownAt);
      summary.streamEndsAfterShutdown = countBy(afterShutdown, (e) => `${e.event}:${e.server}`);
      summary.streamEndDelayS = afterShutdown.length
        ? {
            min: round(Math.min(...afterShutdown.map((e) => e.t)) - shutdownAt),
            max: round(Math.max(...afterShutdown.map((e) => e.t)) - shutdownAt),
          }
        : null;
      summary.streamEndsBeforeShutdown = ended.filter((e) => e.t < shutdownAt).length;
      const killedLogs = haproxy.logs.filter((l) => l.t >= shutdownAt && l.server === 's1');
      summary.haproxyLogS1AfterShutdown = countBy(killedLogs, (l) => `${l.term}/${l.status}`);
    }
  }
  return {
    summary,
    events: { actions: acts, transitions: events, haproxyMessages: haproxy.messages },
    perSecond: perSecond(client, haproxy, raw.samples, lastT, serverNames),
    failedRequests: client.requests
      .filter((r) => r.outcome !== 'ok')
      .map((r) => ({ sent: round(r.sent), done: round(r.done), outcome: r.outcome, server: r.server })),
    samples: raw.samples,
    // Held-out runs (config.keepLogs): every stream's log line, [start, end, server, status,
    // termination, retries, redispatched, Tw, Tc, Tt] (times in s from t0, durations in ms).
    ...(config.keepLogs
      ? {
          haproxyLog: haproxy.logs.map((l) => [
            l.start,
            l.t,
            l.server,
            l.status,
            l.term,
            l.retries,
            l.redispatched ? 1 : 0,
            l.Tw,
            l.Tc,
            l.Tt,
          ]),
        }
      : {}),
  };
}
