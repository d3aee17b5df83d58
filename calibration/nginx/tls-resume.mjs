// What a resumed TLS handshake costs nginx, against a full one, on the real nginx: `listen 443 ssl`
// with nginx's own session defaults (ssl_session_tickets on, ssl_session_cache none,
// ssl_session_timeout 5m, no ssl_session_ticket_key: OpenSSL's per-SSL_CTX random ticket keys),
// one worker, a self-signed RSA certificate made at run time, inside a fresh namespace (loopback).
// `rounds` times, one client process per phase (tls-client.mjs):
//   full     K full handshakes one after another (no session offered);
//   resumed  one full handshake that keeps its ticket, then K handshakes each offering the newest
//            ticket (TLS 1.3 PSK with ECDHE: no certificate, no signature).
// The worker's CPU (utime + stime, /proc/<pid>/stat) around each phase ÷ K is the cost per
// handshake; the resumed phase's one full handshake is taken off with the full phase's figure.
// Bounded: rounds × (2K + 1) + 3R + 1 connections (R = reloadCount), serial, under a minute. Never fitted to a storm: the model's
// `resumed_handshake_cpu` default comes from `openssl speed` as `handshake_cpu`'s does; this
// checks the ratio and that the default nginx really resumes (socket.isSessionReused()).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { schedPolicy } from './experiment.mjs';
import { nginxSignal, readLog, recordingStamp } from './nginx.mjs';
import { CLK_TCK, clientPhase, withTlsNginx, workersCpu } from './tls-storm.mjs';

const r3 = (x) => (x == null ? null : Math.round(x * 1000) / 1000);
const sum = (xs) => xs.reduce((a, b) => a + (b ?? 0), 0);

/** The workers' CPU (ms) over one client phase, and its connections. */
async function measuredPhase(ns, wrap, workers, spec) {
  const before = workersCpu(workers);
  const phase = await clientPhase(ns, wrap, { ...spec, endMs: 60_000 });
  const after = workersCpu(workers);
  return { cpuMs: r3(sum(after) - sum(before)), conns: phase.conns };
}

/** config: { name, description, rsaBits, count, rounds, rt?, tag, summarise(data) }. */
export function runTlsResume(config) {
  return withTlsNginx(
    config,
    { workers: 1, backlog: 511, sessionCache: config.sessionCache === true },
    async ({ ns, prefix, wrap, workers, started, loadavgAtStart }) => {
      const rounds = [];
      for (let r = 0; r < config.rounds; r++) {
        const full = await measuredPhase(ns, wrap, workers, { mode: 'serial', count: config.count });
        const resumed = await measuredPhase(ns, wrap, workers, { mode: 'resumed', count: config.count });
        rounds.push({ round: r, full, resumed });
      }
      // Tickets across a reload: nginx's default ticket keys are the SSL_CTX's own, made by
      // OpenSSL when nginx builds the new cycle's contexts (ngx_ssl_create → SSL_CTX_new, which
      // fills ext.secure->tick_hmac_key / tick_aes_key with random bytes; no ssl_session_ticket_key),
      // so a ticket sealed by the old generation should not open in the new one.
      let reloadSent = false;
      const reload = await clientPhase(
        ns,
        wrap,
        { mode: 'reload', count: config.reloadCount, pauseMs: 1500, endMs: 60_000 },
        (events) => {
          if (reloadSent || !events.some((e) => e.ev === 'phase')) return;
          reloadSent = true;
          nginxSignal(ns, prefix, 'reload');
        },
      );
      const data = {
        experiment: config.name,
        description: config.description,
        stamp: {
          ...recordingStamp(prefix, {
            started,
            loadavgAtStart,
            scheduling: {
              requested: config.rt ? `SCHED_FIFO ${config.rt}` : 'default',
              harness: schedPolicy(process.pid),
            },
          }),
          loadavgAtEnd: readFileSync('/proc/loadavg', 'utf8').trim(),
          openssl: execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim(),
          clkTck: CLK_TCK,
        },
        config: {
          rsaBits: config.rsaBits,
          count: config.count,
          rounds: config.rounds,
          reloadCount: config.reloadCount,
          sessionCache: config.sessionCache === true,
        },
        errorLog: readLog(prefix, 'error.log').split('\n').filter(Boolean).slice(0, 100),
        rounds: rounds.map((r) => ({ round: r.round, fullCpuMs: r.full.cpuMs, resumedCpuMs: r.resumed.cpuMs })),
        serial: rounds.flatMap((r) => [
          ...r.full.conns.map((c) => ({ round: r.round, phase: 'full', ...c })),
          ...r.resumed.conns.map((c) => ({ round: r.round, phase: 'resumed', ...c })),
        ]),
        reloadSent,
        reload: reload.conns,
      };
      data.summary = config.summarise(data);
      return data;
    },
  );
}

/** Per round: the CPU per full and per resumed handshake (ms), and how many really resumed. */
export function summariseTlsResume(data) {
  const k = data.config.count;
  const perRound = data.rounds.map((r) => {
    const conns = data.serial.filter((c) => c.round === r.round);
    const full = conns.filter((c) => c.phase === 'full' && c.tls != null);
    const resumed = conns.filter((c) => c.phase === 'resumed' && c.i > 0 && c.tls != null);
    const fullMs = r.fullCpuMs / k;
    return {
      round: r.round,
      fullHandshakes: full.length,
      fullCpuMs: r3(fullMs),
      resumedHandshakes: resumed.length,
      reused: resumed.filter((c) => c.reused).length,
      // The phase's first connection is a full handshake (it gets the first ticket).
      resumedCpuMs: r3((r.resumedCpuMs - fullMs) / k),
      protocols: [...new Set(conns.map((c) => c.proto))],
    };
  });
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // Per ticket offered around the reload: handshakes done and how many the server resumed.
  const acrossReload = {};
  for (const c of data.reload ?? []) {
    const t = (acrossReload[c.tag] ??= { handshakes: 0, reused: 0 });
    if (c.tls != null) t.handshakes++;
    if (c.reused) t.reused++;
  }
  return {
    rsaBits: data.config.rsaBits,
    loadavgAtStart: data.stamp.loadavgAtStart,
    cpuResolutionMs: r3(1000 / data.stamp.clkTck / k),
    perRound,
    medianFullCpuMs: med(perRound.map((r) => r.fullCpuMs)),
    medianResumedCpuMs: med(perRound.map((r) => r.resumedCpuMs)),
    medianRatio: r3(med(perRound.map((r) => r.resumedCpuMs / r.fullCpuMs))),
    acrossReload: data.reload ? acrossReload : null,
  };
}

/** Full vs resumed handshakes with an RSA-`rsaBits` certificate: rounds × (2 × count + 1) connections. */
export function tlsResumeExperiment({ rsaBits = 2048, count = 400, rounds = 3, reloadCount = 20 } = {}) {
  return {
    name: `nginx-tls-resume-rsa${rsaBits}`,
    description:
      `Full vs resumed TLS handshakes on nginx with its session defaults (tickets on, no shared ` +
      `cache, no ticket key file), one worker, RSA-${rsaBits} self-signed, TLS 1.3: ${rounds} rounds ` +
      `of ${count} serial full handshakes then ${count} serial resumed ones (each offering the ` +
      "newest ticket); the worker's CPU per handshake of each kind, and whether nginx resumed; " +
      `then ${reloadCount} handshakes offering one ticket before \`nginx -s reload\`, ${reloadCount} offering it after, ` +
      `${reloadCount} offering the newest (new generation's) ticket.`,
    seconds: 30,
    rsaBits,
    count,
    rounds,
    reloadCount,
    run: runTlsResume,
    summarise: summariseTlsResume,
  };
}

/**
 * Session 27: ingress-nginx's session settings (`ssl_session_cache shared:SSL:10m; ssl_session_tickets
 * off`): the session lives in the master's shared zone, which a reload's new cycle reuses
 * (ngx_ssl_session_cache_init, src/event/ngx_event_openssl.c), so the model says the ticket offered
 * after the reload (TLS 1.3 stateful: its identity looked up in the zone) still resumes. Small: the
 * reload is the point, not the CPU.
 */
export function tlsResumeCacheExperiment({ count = 100, rounds = 1, reloadCount = 20 } = {}) {
  const base = tlsResumeExperiment({ rsaBits: 2048, count, rounds, reloadCount });
  return {
    ...base,
    name: 'nginx-tls-resume-shared-cache',
    description:
      "As nginx-tls-resume-rsa2048 with ingress-nginx's `ssl_session_cache shared:SSL:10m; " +
      `ssl_session_tickets off\`: ${rounds} round of ${count} full and ${count} resumed handshakes, then ` +
      `${reloadCount} handshakes offering one session before \`nginx -s reload\`, ${reloadCount} offering it after, ` +
      `${reloadCount} offering the newest.`,
    sessionCache: true,
  };
}

// 1000 a phase (session 13; 400 before): the CPU clock ticks (4 ms) resolve 0.004 ms a handshake.
export const TLS_RESUME_EXPERIMENTS = [
  tlsResumeExperiment({ rsaBits: 2048, count: 1000, rounds: 5 }),
  tlsResumeExperiment({ rsaBits: 4096, count: 1000, rounds: 5 }),
  tlsResumeCacheExperiment(),
];
