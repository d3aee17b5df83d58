#!/usr/bin/env node
// node calibration/haproxy/table.mjs [dataDir] — Markdown tables of the recorded HAProxy figures.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HAPROXY_EXPERIMENTS } from './experiments.mjs';

const dir = process.argv[2] ?? fileURLToPath(new URL('../data', import.meta.url));
const runs = HAPROXY_EXPERIMENTS.map((e) => join(dir, `${e.name}.json`))
  .filter(existsSync)
  .map((f) => JSON.parse(readFileSync(f, 'utf8')));

const fmt = (o) =>
  o && Object.keys(o).length
    ? Object.entries(o)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
    : '–';
const name = (d) => d.experiment.replace(/^haproxy-/, '');
/** Errors per second while s1 was failing: the seconds from the failure to DOWN + 4 s. */
const errorsPerSecond = (d) =>
  d.perSecond
    .filter((p) => p.t > d.summary.failedAt && p.t <= (d.summary.downAt ?? d.summary.failedAt) + 4)
    .map((p) => Object.entries(p.outcomes).reduce((a, [k, v]) => (k === 'ok' ? a : a + v), 0))
    .join(' ');

const failing = runs.filter((d) => d.summary.failedAt !== undefined);
if (failing.length) {
  console.log(
    '| run | req/s | s1 → DOWN (s) | check | DOWN → UP after restart (s) | client errors | errors/s from failure to DOWN+4 s | HAProxy log | error latency median (s) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const d of failing) {
    const s = d.summary;
    const errs = Object.fromEntries(Object.entries(s.outcomes).filter(([k]) => k !== 'ok'));
    const log = `${fmt(s.haproxyTermination)}; retried ${s.haproxyRetried}, redispatched ${s.haproxyRedispatched}`;
    console.log(
      `| ${name(d)} | ${s.achievedRequestRate} | ${s.timeToDownLogS} | ${s.downCheckStatus} | ${s.timeToUpLogS ?? '–'} | ` +
        `${fmt(errs)}; idle closes ${fmt(s.idleCloses)} | ${errorsPerSecond(d)} | ${log} | ${s.errorLatencyS?.median ?? '–'} |`,
    );
  }
  console.log();
}

const drains = runs.filter((d) => d.summary.drainAt !== undefined && !d.summary.shutdownAt);
if (drains.length) {
  console.log(
    '| run | req/s | s1 scur at drain | time to scur 0 (s) | client closed its last s1 connection (s) | new streams on s1 after drain | 200s from s1 after drain (after maint) | s1 scur each second after drain |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const d of drains) {
    const s = d.summary;
    console.log(
      `| ${name(d)} | ${s.achievedRequestRate} | ${s.s1ScurAtDrain} | ${s.timeToEmptyS} | ${s.lastS1CloseByClientS ?? '–'} | ` +
        `${s.haproxyStreamsStartedOnS1AfterDrain} | ${s.okFromS1AfterDrain}` +
        `${s.maintAt === undefined ? '' : ` (${s.okFromS1AfterMaint})`} | ${s.s1ScurAfterDrain.map((x) => x[1]).join(' ')} |`,
    );
  }
  console.log();
  // The tcp drains as one population (test/calibration/haproxy-compare.test.ts compares it with
  // the twin): each flow on s1 at the drain ends after its own residual lifetime.
  const tcp = drains.filter((d) => /^haproxy-drain-tcp(-redispatch|-seed\d+)?$/.test(d.experiment));
  if (tcp.length > 1) {
    const first = (d) => d.samples.find((x) => x.s1 && x.t > d.summary.drainAt - 0.01).s1.scur;
    const at0 = tcp.reduce((a, d) => a + first(d), 0);
    const area = tcp.reduce(
      (a, d) =>
        a + d.samples.filter((x) => x.s1 && x.t > d.summary.drainAt - 0.01).reduce((b, x) => b + x.s1.scur * 0.25, 0),
      0,
    );
    const share = (k) => (tcp.reduce((a, d) => a + (d.summary.s1ScurAfterDrain[k]?.[1] ?? 0), 0) / at0).toFixed(3);
    console.log(
      `tcp drains pooled: ${tcp.length} runs, ${at0} flows on s1 at the drain; share still open ` +
        `0.75 / 1.75 / 2.75 / 4.75 / 8.75 s after it: ${[0, 1, 2, 4, 8].map(share).join(' / ')}; ` +
        `mean residual lifetime ${(area / at0).toFixed(2)} s; responses from s1 after the drain per run ` +
        `${(tcp.reduce((a, d) => a + d.summary.okFromS1AfterDrain, 0) / tcp.length).toFixed(1)}`,
    );
    console.log();
  }
}

const shutdowns = runs.filter((d) => d.summary.shutdownAt !== undefined);
if (shutdowns.length) {
  console.log(
    '| run | s1 streams ended before the command | after it, as the client saw it | delay (s) | HAProxy log of s1 streams | s2 streams ended |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const d of shutdowns) {
    const s = d.summary;
    const s2Ended = Object.values(s.streams.byServer.s2?.ended ?? {}).reduce((a, b) => a + b, 0);
    console.log(
      `| ${name(d)} | ${s.streamEndsBeforeShutdown} | ${fmt(s.streamEndsAfterShutdown)} | ` +
        `${s.streamEndDelayS?.min}–${s.streamEndDelayS?.max} | ${fmt(s.haproxyLogS1AfterShutdown)} | ${s2Ended} |`,
    );
  }
}
