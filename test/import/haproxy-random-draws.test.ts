/**
 * `drainsim import` reads haproxy.cfg's `balance random(<draws>)` into lb.random_draws as
 * backend_parse_balance() (src/backend.c, v2.6.0) reads it, and refuses (exit 2) the forms HAProxy
 * refuses to start with.
 */
import { describe, expect, it } from 'vitest';
import type { Imported } from '../../sim/import/imported.js';
import { besidesConnect, importCfg, valueAt } from './read-fixture.js';

const cfg = (balance: string): string =>
  `backend be\n  balance ${balance}\n  server a 10.0.0.1:80\n  server b 10.0.0.2:80\n`;

const read = (balance: string): Imported => importCfg(cfg(balance));

const value = (into: Imported, key: string): unknown => valueAt(into, `lb.${key}`);

describe('haproxy.cfg balance random(<draws>)', () => {
  const forms: Array<[string, number | undefined]> = [
    // written alone or with empty parentheses: HAProxy's 2 draws, the schema's default (left unset)
    ['random', undefined],
    ['random()', undefined],
    ['random(1)', 1],
    ['random(3)', 3],
    // strtol(…, 0): hex and octal too; what follows the ')' is not read
    ['random(0x4)', 4],
    ['random(010)', 8],
    ['random(5)x', 5],
  ];
  for (const [form, draws] of forms)
    it(`balance ${form} → balance random, random_draws ${draws ?? 'unset (2)'}`, () => {
      const into = read(form);
      expect(into.errors).toEqual([]);
      expect(besidesConnect(into.warnings)).toEqual([]);
      expect(value(into, 'balance')).toBe('random');
      expect(value(into, 'random_draws')).toBe(draws);
      if (draws !== undefined) {
        expect(into.render('')).toContain(`random_draws: ${draws} # from h.cfg:2`);
      }
    });

  it('refuses what HAProxy refuses: no closing parenthesis, a stray character, fewer than 1 draw', () => {
    expect(read('random(3').errors).toEqual([
      'h.cfg:2: balance random(3: HAProxy refuses it (random : missing closing parenthesis)',
    ]);
    expect(read('random(').errors[0]).toContain('missing closing parenthesis');
    expect(read('random(3a)').errors[0]).toContain("unexpected character 'a'");
    expect(read('random(x)').errors[0]).toContain("unexpected character 'x'");
    expect(read('random(0)').errors[0]).toContain('number of draws must be at least 1');
    expect(read('random(-2)').errors[0]).toContain('number of draws must be at least 1');
    expect(value(read('random(0)'), 'random_draws')).toBeUndefined();
  });
});

describe('a later balance line takes back an earlier random(N) (review26 #2)', () => {
  const twoSections = (first: string, second: string): Imported =>
    importCfg(
      `defaults\n  balance ${first}\n\nbackend be\n  balance ${second}\n  server a 10.0.0.1:80\n  server b 10.0.0.2:80\n`,
    );

  it('defaults random(3), backend roundrobin: roundrobin with no draws (the scenario then loads)', () => {
    const into = twoSections('random(3)', 'roundrobin');
    expect(value(into, 'balance')).toBe('roundrobin');
    expect(value(into, 'random_draws')).toBeUndefined();
  });

  it('defaults random(3), backend random: HAProxy resets the draws to 2 (unset)', () => {
    const into = twoSections('random(3)', 'random');
    expect(value(into, 'balance')).toBe('random');
    expect(value(into, 'random_draws')).toBeUndefined();
  });

  it('defaults random, backend random(4): 4', () => {
    expect(value(twoSections('random', 'random(4)'), 'random_draws')).toBe(4);
  });
});
