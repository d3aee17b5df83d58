import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDurationCsv } from '../../../sim/plan/fit/csv-log.js';
import { empiricalValues, FitError, fitLifetimes } from '../../../sim/plan/fit/fit-lifetimes.js';
import { parseHaproxyLog } from '../../../sim/plan/fit/haproxy-log.js';
import { compileLogFormat, parseNginxLog } from '../../../sim/plan/fit/nginx-log.js';
import { parseDistribution } from '../../../sim/scenario/distribution.js';
import { runCli } from '../../cli/capture.js';
import { haproxyHttpLog } from './haproxy-fixture.js';

const TRUE_LIFETIME = 'lognormal(median=40m, p99=8h)';
const truth = parseDistribution(TRUE_LIFETIME);

function within(actual: number, expected: number, share: number): void {
  expect(Math.abs(actual / expected - 1)).toBeLessThan(share);
}

describe('fit: lifetimes from an HAProxy log', () => {
  it('recovers the median and p99 of 10,000 lognormal sessions within 5 % and calls the fit good', () => {
    const { text } = haproxyHttpLog(TRUE_LIFETIME, 10_000, 15);
    const log = parseHaproxyLog(text);
    expect(log.observations).toHaveLength(10_000);
    expect(log.malformed).toEqual([]);
    const fit = fitLifetimes(log.observations);
    expect(fit.best.fitted.family).toBe('lognormal');
    within(fit.best.fitted.quantile(0.5), truth.quantile(0.5), 0.05);
    within(fit.best.fitted.quantile(0.99), truth.quantile(0.99), 0.05);
    expect(fit.goodFit).toBe(true);
    // The wrong families are far off, and the KS test says so.
    for (const f of fit.families.slice(1)) expect(f.ks).toBeGreaterThan(fit.critical);
  });

  it('uses censored MLE for sessions still open (logasap "+" timers): the naive fit would be far short', () => {
    // Every session longer than 2 h is logged open at 2 h: ~16 % of them.
    const { text } = haproxyHttpLog(TRUE_LIFETIME, 10_000, 16, { logasapOver: 7200 });
    const log = parseHaproxyLog(text);
    const open = log.observations.filter((o) => o.censored).length;
    expect(open).toBeGreaterThan(1000);
    const fit = fitLifetimes(log.observations);
    within(fit.best.fitted.quantile(0.5), truth.quantile(0.5), 0.05);
    within(fit.best.fitted.quantile(0.99), truth.quantile(0.99), 0.05);
    expect(fit.empirical[2]).toBeUndefined(); // the p99 is beyond the 2 h the log saw
    const naive = fitLifetimes(log.observations.map((o) => ({ ...o, censored: false })));
    expect(naive.best.fitted.quantile(0.99)).toBeLessThan(0.8 * truth.quantile(0.99));
  });

  it('refuses an empirical CSV whose Kaplan–Meier curve stops at the censoring time instead of cutting the tail', () => {
    // 16 % logged open at 2 h: the Kaplan–Meier curve ends near S = 0.16, so only quantiles up to
    // ~0.84 are known. Written as a CSV, empirical() would take 2 h as the longest session (the true
    // p99 is 8 h) and a drain plan from it would never wait past 2 h.
    const { text } = haproxyHttpLog(TRUE_LIFETIME, 10_000, 16, { logasapOver: 7200 });
    const log = parseHaproxyLog(text);
    const fit = fitLifetimes(log.observations);
    expect(() => empiricalValues(fit, log.observations)).toThrow(FitError);
    expect(() => empiricalValues(fit, log.observations)).toThrow(/1[4-8]\.\d % of the sessions outlive/);
  });

  it('writes Kaplan–Meier quantiles when the censoring hides none of them', () => {
    // One session open at 20 s among 14, and the longest one ended: the curve reaches 0. By hand,
    // S = 13/14 after 10 s, so the quantiles (i + 0.5)/1000 ≤ 1/14 (i ≤ 70) are 10 s.
    const obs = [
      { seconds: 10, censored: false },
      { seconds: 20, censored: true },
      { seconds: 30, censored: false },
      { seconds: 50, censored: false },
      ...Array.from({ length: 10 }, (_, i) => ({ seconds: 60 + i, censored: false })),
    ];
    const values = empiricalValues(fitLifetimes(obs), obs);
    expect(values).toHaveLength(1000);
    expect(values.filter((v) => v === 10)).toHaveLength(71);
    expect(values[999]).toBe(69);
  });

  it('refuses even one hidden quantile: the top one is what a 99.9 % drain plan reads', () => {
    // 1,000 sessions of 10 s, 11 s, …, the longest one still open: the curve ends at S = 1/1000
    // after the 999th end, so the quantiles above 0.999 — the last, (999 + 0.5)/1000 — are unknown.
    // Written, the CSV's top value would be the 0.9985 quantile and `plan drain` (target 99.9 % by
    // default) would read the tail from it. With 3,000 such sessions S ends at 1/3000 < 0.0005:
    // every quantile is known and the CSV is written.
    const sessions = (n: number) => Array.from({ length: n }, (_, i) => ({ seconds: 10 + i, censored: i === n - 1 }));
    const one = sessions(1000);
    expect(() => empiricalValues(fitLifetimes(one), one)).toThrow(/0\.100 % of the sessions outlive/);
    const none = sessions(3000);
    expect(empiricalValues(fitLifetimes(none), none)).toHaveLength(1000);
  });

  it('flags a bimodal population as a poor fit', () => {
    const short = haproxyHttpLog('lognormal(median=5s, sigma=0.3)', 5000, 1).text;
    const long = haproxyHttpLog('lognormal(median=2h, sigma=0.3)', 5000, 2).text;
    const fit = fitLifetimes(parseHaproxyLog(short + long).observations);
    expect(fit.goodFit).toBe(false);
    expect(fit.best.ks).toBeGreaterThan(0.1);
  });

  it('reads tcplog lines, treats K (killed) as censored, filters by backend, and counts bad lines with their numbers', () => {
    const text = [
      'Dec  3 10:00:00 lb1 haproxy[1]: Proxy fe started.',
      '10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0',
      '10.0.1.2:33314 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/9000 212 KD 0/0/0/0/3 0/0',
      '10.0.1.2:33315 [06/Feb/2009:12:12:51.443] fnt other/srv1 0/0/100 212 -- 0/0/0/0/3 0/0',
      'garbage line',
      '10.0.1.2:33316 [06/Feb/2009:12:12:51.443] fnt bck/srv1 -1/-1/-1 0 CC 0/0/0/0/3 0/0',
      '10.0.1.2:33317 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/0 212 -- 0/0/0/0/3 0/0',
    ].join('\n');
    const log = parseHaproxyLog(text, { backend: 'bck' });
    expect(log.observations).toEqual([
      { seconds: 5.007, censored: false },
      { seconds: 9, censored: true },
      { seconds: 0.0005, censored: false },
    ]);
    expect(log.zeros).toBe(1);
    expect(log.malformed.map((b) => b.line)).toEqual([5, 6]);
    expect(log.skipped).toBe(2);
  });
});

describe('fit: nginx logs and CSV', () => {
  it('compiles a log_format line and reads $request_time and $connection_requests', () => {
    const format = compileLogFormat(
      `log_format ws '$remote_addr - [$time_local] "$request" ' '$status $request_time $connection_requests';`,
    );
    const log = parseNginxLog(
      [
        '1.2.3.4 - [03/Dec/2026:10:00:00 +0000] "GET /ws HTTP/1.1" 101 2400.125 3',
        '1.2.3.4 - [03/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 0.004 7',
        'nonsense',
      ].join('\n'),
      format,
      { status: 101 },
    );
    expect(log.observations).toEqual([{ seconds: 2400.125, censored: false }]);
    expect(log.connectionRequests).toEqual([3]);
    expect(log.skipped).toBe(1);
    expect(log.malformed).toEqual([{ line: 3, reason: 'does not match the log_format' }]);
    expect(() => compileLogFormat(`log_format main '$remote_addr $status';`)).toThrow(/no \$request_time/);
  });

  it('reads a CSV with a censored column and names bad lines', () => {
    const log = parseDurationCsv('duration,censored\n95s,0\n1.5m,1\nabc,0\n12,maybe\n30,\n');
    expect(log.observations).toEqual([
      { seconds: 95, censored: false },
      { seconds: 90, censored: true },
      { seconds: 30, censored: false },
    ]);
    expect(log.malformed.map((b) => b.line)).toEqual([4, 5]);
  });
});

describe('drainsim fit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-fit-'));

  it('prints the quantiles side by side and a value to paste; writes the empirical CSV', async () => {
    const path = join(dir, 'haproxy.log');
    writeFileSync(path, `${haproxyHttpLog(TRUE_LIFETIME, 2000, 3).text}broken\n`);
    const r = await runCli('fit', path, '--csv', join(dir, 'life.csv'));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `1 malformed line in ${path} not used:\n  ${path}:2001: not an HAProxy tcplog or httplog line`,
    );
    expect(r.stdout).toMatch(/^empirical +\S/m);
    expect(r.stdout).toMatch(/^lognormal +0\.0\d+ /m);
    expect(r.stdout).toMatch(/Paste into a scenario:\n {2}lognormal\(median=\d+m( \d+s)?, p99=\d+h( \d+m)?( \d+s)?\)/);
    const spec = /lognormal\(median=[^)]+\)/.exec(r.stdout)![0];
    expect(() => parseDistribution(spec)).not.toThrow();
    const csv = readFileSync(join(dir, 'life.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('duration');
    expect(csv).toHaveLength(2001);
  });

  it('exits 2 without writing --csv when the censoring hides the tail', async () => {
    const path = join(dir, 'logasap.log');
    writeFileSync(path, haproxyHttpLog(TRUE_LIFETIME, 2000, 16, { logasapOver: 7200 }).text);
    const csv = join(dir, 'cut.csv');
    const r = await runCli('fit', path, '--csv', csv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no empirical CSV: \d+\.\d+ % of the sessions outlive the longest ended one/);
    expect(existsSync(csv)).toBe(false);
  });

  it('exits 2 naming file and line when no line is usable, or the log_format has no duration', async () => {
    const path = join(dir, 'access.log');
    writeFileSync(path, 'a b c\nd e f\n');
    const r = await runCli('fit', path, '--log-format', "log_format x '$remote_addr $status $request_time';");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path}:1: no usable session in 2 lines as nginx`);
    expect(r.stderr).toContain(`${path}:2: $request_time 'f' is not a number of seconds`);
    const noTime = await runCli('fit', path, '--log-format', "log_format x '$remote_addr $status';");
    expect(noTime.code).toBe(2);
    expect(noTime.stderr).toContain('no $request_time');
    const missing = await runCli('fit', join(dir, 'nope.log'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.log: cannot read');
  });
});
