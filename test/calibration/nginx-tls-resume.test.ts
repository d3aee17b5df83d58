// drainsim's TLS session resumption (sim/model/proxy/session-tickets.ts, worker-cpu.ts) against
// nginx 1.22.1 with its session defaults (calibration/nginx/tls-resume.mjs): one worker, TLS 1.3,
// 5 rounds of 1,000 serial full handshakes then 1,000 resumed ones (each offering the newest
// ticket), then 20 handshakes offering one ticket before `nginx -s reload`, 20 offering the same
// ticket after it, 20 offering the new generation's newest. Recorded under SCHED_FIFO 10 at load
// 2.4–2.6 (`node calibration/nginx/run.mjs --only tls-resume --rt 10`, data/nginx-tls-resume-rsa*-rt.json).
// What the model claims: within one nginx generation every offered ticket resumes; after a reload
// none of the old generation's does (OpenSSL's per-SSL_CTX random ticket keys, no
// ssl_session_ticket_key); a resumed handshake costs `resumed_handshake_cpu` instead of
// `handshake_cpu`. The first two hold exactly; the cost holds for what a resumption saves with a
// large key, and has an honest gap with the defaults (below).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Conn } from '../../sim/model/core/conn.js';
import { SessionTickets } from '../../sim/model/proxy/session-tickets.js';
import { scenario } from '../model/helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: a recorded data file, read as JSON.
const recording = (bits: number): any =>
  JSON.parse(readFileSync(`calibration/data/nginx-tls-resume-rsa${bits}-rt.json`, 'utf8'));
const BITS = [2048, 4096] as const;
const TLS = scenario({ app: { tls: { terminates: 'nginx' } } }).app.tls;
const VM = 0;

describe('TLS resumption: drainsim vs nginx 1.22.1 (tickets, nginx defaults)', () => {
  it('within one generation every offered ticket resumes: 5 × 1,000 of 5 × 1,000 in nginx, every one in the model', () => {
    for (const bits of BITS) {
      const data = recording(bits);
      expect(data.stamp.scheduling.requested).toBe('SCHED_FIFO 10');
      for (const r of data.summary.perRound) {
        expect(r.resumedHandshakes).toBe(1000);
        expect(r.reused).toBe(1000);
        expect(r.protocols).toEqual(['TLSv1.3']);
      }
    }
    // The model, the same sequence: one full handshake, then 1,000 each offering the newest ticket.
    const tickets = new SessionTickets();
    const conn = {} as Conn;
    let t = 0;
    expect(tickets.resumes(conn, TLS, VM, 1, t)).toBe(false); // no ticket yet: full
    tickets.issue(conn, TLS, VM, 1, (t += 0.001));
    let resumed = 0;
    for (let i = 0; i < 1000; i++) {
      t += 0.001;
      if (tickets.resumes(conn, TLS, VM, 1, t)) resumed++;
      tickets.issue(conn, TLS, VM, 1, t);
    }
    expect(resumed).toBe(1000);
  });

  it("after a reload the old generation's ticket never resumes (0 of 20), the new generation's always does (20 of 20)", () => {
    for (const bits of BITS) {
      const data = recording(bits);
      expect(data.reloadSent).toBe(true);
      expect(data.summary.acrossReload).toEqual({
        full: { handshakes: 1, reused: 0 },
        before: { handshakes: 20, reused: 20 },
        'after-old': { handshakes: 20, reused: 0 },
        'after-new': { handshakes: 20, reused: 20 },
      });
    }
    // The model: a ticket of generation 1 offered to generation 2 is a full handshake; the ticket
    // that handshake issued resumes in generation 2. (The client offers its newest ticket, so it
    // offers generation 1's once only: tls-resume.mjs offers it 20 times on purpose.)
    const tickets = new SessionTickets();
    const conn = {} as Conn;
    tickets.issue(conn, TLS, VM, 1, 0.001);
    expect(tickets.resumes(conn, TLS, VM, 1, 1)).toBe(true); // before
    expect(tickets.resumes(conn, TLS, VM, 2, 2)).toBe(false); // after-old
    tickets.issue(conn, TLS, VM, 2, 2.001);
    expect(tickets.resumes(conn, TLS, VM, 2, 3)).toBe(true); // after-new
  });

  it('what a resumption saves with RSA-4096: real 3.98 ms, the model 4.33 ms with the measured full cost (±10 %)', () => {
    const s = recording(4096).summary;
    // Full 4.42–4.58 ms, resumed 0.35–0.47 ms (5 rounds); CPU clock resolution 0.01 ms.
    expect(s.cpuResolutionMs).toBeLessThanOrEqual(0.01);
    const realSaving = s.medianFullCpuMs - s.medianResumedCpuMs; // 4.43 − 0.446
    const modelSaving = s.medianFullCpuMs - TLS.resumed_handshake_cpu * 1000; // 4.43 − 0.1
    expect(Math.abs(modelSaving - realSaving)).toBeLessThanOrEqual(0.1 * realSaving);
  });

  // KNOWN GAP (README, Known limitations): the defaults count public-key operations only
  // (`openssl speed`: RSA-2048 sign + two P-256 ECDH = 0.35 ms full, two ECDH = 0.1 ms resumed).
  // nginx 1.22.1's worker spends 0.46–0.48 ms on a resumed handshake whatever the certificate
  // (RSA-2048 and RSA-4096 alike: no signature), and 0.60–0.63 ms on a full RSA-2048 one: the
  // ~0.35–0.4 ms of per-connection work besides the public-key operations (accept, SSL object,
  // ticket crypto, record layer, syscalls, close) is in neither default. So with the defaults the
  // model has a resumed handshake at 0.29 of a full one, nginx at 0.78 (RSA-2048); what it saves
  // is 0.25 ms in the model, 0.13 ms in nginx. Not fitted: a scenario that wants nginx's whole
  // cost states both measured figures.
  it('KNOWN GAP: with the defaults a resumed handshake is 0.29 of a full one in the model, 0.78 in nginx (RSA-2048)', () => {
    const rsa2048 = recording(2048).summary;
    const rsa4096 = recording(4096).summary;
    expect(TLS.handshake_cpu).toBeCloseTo(0.00035, 9);
    expect(TLS.resumed_handshake_cpu).toBeCloseTo(0.0001, 9);
    // The resumed cost does not depend on the certificate, in nginx as in the model.
    expect(Math.abs(rsa2048.medianResumedCpuMs - rsa4096.medianResumedCpuMs)).toBeLessThan(0.1);
    expect(rsa2048.medianResumedCpuMs).toBeGreaterThan(3 * TLS.resumed_handshake_cpu * 1000);
    expect(rsa2048.medianRatio).toBeGreaterThan(0.7); // 0.785
    expect(TLS.resumed_handshake_cpu / TLS.handshake_cpu).toBeLessThan(0.3);
    const realSaving = rsa2048.medianFullCpuMs - rsa2048.medianResumedCpuMs; // 0.61 − 0.479
    expect(realSaving).toBeGreaterThan(0.08);
    expect(realSaving).toBeLessThan(0.2);
    // The older recording at load 7–9 (400 a phase, 0.025-ms resolution) agrees: 0.39–0.47 ms resumed.
    const old = JSON.parse(readFileSync('calibration/data/nginx-tls-resume-rsa2048.json', 'utf8')).summary;
    expect(Math.abs(old.medianResumedCpuMs - rsa2048.medianResumedCpuMs)).toBeLessThan(0.1);
  });

  it("ingress-nginx's shared cache with tickets off: the session offered after a reload still resumes (20 of 20), as the model says", () => {
    // Recorded session 27 (`node calibration/nginx/run.mjs --only shared-cache`, no SCHED_FIFO,
    // load 4.5; data/nginx-tls-resume-shared-cache.json): `ssl_session_cache shared:SSL:10m;
    // ssl_session_tickets off`, TLS 1.3 stateful tickets looked up in the zone, which the reload's
    // new cycle reuses (ngx_ssl_session_cache_init).
    const data = JSON.parse(readFileSync('calibration/data/nginx-tls-resume-shared-cache.json', 'utf8'));
    expect(data.stamp.nginx).toBe('nginx version: nginx/1.22.1');
    expect(data.stamp.nginxConf).toContain('ssl_session_cache shared:SSL:10m;');
    expect(data.stamp.nginxConf).toContain('ssl_session_tickets off;');
    expect(data.reloadSent).toBe(true);
    expect(data.summary.perRound[0].protocols).toEqual(['TLSv1.3']);
    expect(data.summary.acrossReload).toEqual({
      full: { handshakes: 1, reused: 0 },
      before: { handshakes: 20, reused: 20 },
      'after-old': { handshakes: 20, reused: 20 },
      'after-new': { handshakes: 20, reused: 20 },
    });
    // The model (worker-cpu.ts admit): with the cache and no tickets the session's domain is the
    // VM's nginx master (-1 - Nginx.master), the same for every generation it forks; a session of
    // generation 1 offered to generation 2 resumes. End to end: test/model/proxy/tls-resumption.test.ts.
    const cache = { ...TLS, session_tickets: false, session_cache: 'shared' as const };
    const tickets = new SessionTickets();
    const conn = {} as Conn;
    const master = -1 - 0;
    tickets.issue(conn, cache, VM, master, 0.001, true);
    expect(tickets.resumes(conn, cache, VM, master, 1, true)).toBe(true); // before and after-old
    // Without the cache (tickets off, none) nothing resumes at all.
    expect(tickets.resumes(conn, { ...cache, session_cache: 'none' }, VM, master, 1, false)).toBe(false);
  });
});
