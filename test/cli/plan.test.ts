import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './capture.js';

describe('drainsim plan drain', () => {
  it('recommends a drain timeout when one fits the window, with the curves behind it', async () => {
    const r = await runCli('plan', 'drain', '--lifetimes', 'exp(mean=2m)', '--window', '30m', '--replicas', '200');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 120 s · ln(1000) = 828.9 s, rounded up to whole seconds.
    expect(r.stdout).toContain('A drain timeout fits the 30m window.');
    expect(r.stdout).toMatch(/drain timeout {3}13m 49s/);
    expect(r.stdout).toContain('Sessions cut vs drain timeout, 200 Monte Carlo drains');
    expect(r.stdout).toContain('Reconnect peak vs drain-notice jitter window');
  });

  it('recommends a session TTL and a drain notice when no timeout fits, as JSON too', async () => {
    const args = [
      'plan',
      'drain',
      '--lifetimes',
      'lognormal(median=1m, sigma=1)',
      '--window',
      '12m',
      '--target',
      '99%',
      '--replicas',
      '100',
    ];
    const text = await runCli(...args);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      'No drain timeout fits the 12m window: 99% of the sessions open at drain start end only after 16m 44s',
    );
    expect(text.stdout).toMatch(/session TTL +\d+m( \d+s)? +app\.ws\.session_ttl=/);
    expect(text.stdout).toContain('app.ws.drain_notice=true app.ws.retry_after=12m');
    const json = await runCli(...args, '--format', 'json');
    const plan = JSON.parse(json.stdout);
    expect(plan.fits).toBe(false);
    expect(plan.ttl.ttl).toBeGreaterThanOrEqual(720);
    expect(plan.residual.atTarget).toBeCloseTo(1004.387922, 4);
  });

  it('reads measured durations from a CSV and writes the plan files with --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainsim-plan-cli-'));
    writeFileSync(
      join(dir, 'sessions.csv'),
      `duration\n${Array.from({ length: 200 }, (_, i) => `${30 + i}s`).join('\n')}\n`,
    );
    const r = await runCli(
      'plan',
      'drain',
      '--lifetimes',
      join(dir, 'sessions.csv'),
      '--replicas',
      '50',
      '--resamples',
      '50',
      '--out',
      join(dir, 'out'),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('200 measured sessions');
    expect(r.stdout).toMatch(
      /95% interval .* – .*, tail model .*\n {2}\(bootstrap of a generalized Pareto tail, shape .*, fitted to the 40 longest of 200 measured sessions, 50 resamples\)/,
    );
    const json = JSON.parse(readFileSync(join(dir, 'out', 'plan.json'), 'utf8'));
    expect(json.input.measuredSessions).toBe(200);
    expect(json.residualInterval).toMatchObject({
      method: expect.stringMatching(/generalized Pareto/),
      tailSessions: 40,
    });
    expect(readFileSync(join(dir, 'out', 'drain-curve.csv'), 'utf8')).toMatch(
      /^timeout_s,expected_cut,cut_p50,cut_p99,p_all_end,/,
    );
    expect(readFileSync(join(dir, 'out', 'reconnect-curve.csv'), 'utf8')).toMatch(
      /^jitter_window_s,peak_mean_per_s,peak_p50_per_s,peak_p99_per_s\n1,/,
    );
  });

  it('exits 2 with one clear line for bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['--lifetimes', 'pareto(scale=1m, shape=0.9)'], /infinite mean/],
      [['--lifetimes', 'expo(mean=2m)'], /unknown distribution 'expo'.*did you mean 'exp'/],
      [['--lifetimes', 'exp(mean=2m)', '--window', '10'], /unit-less duration '10'/],
      [['--lifetimes', 'exp(mean=2m)', '--target', '99.9'], /did you mean '99.9%'/],
      [['--lifetimes', 'missing.csv'], /cannot read 'missing.csv'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli('plan', 'drain', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^drainsim plan drain: /);
      expect(r.stderr).toMatch(message);
    }
    expect((await runCli('plan')).code).toBe(2);
  });
});
