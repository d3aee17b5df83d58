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
