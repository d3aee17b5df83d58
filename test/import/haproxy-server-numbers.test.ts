/**
 * A server's counts as HAProxy 2.6 reads them (imp31b): atol() with no check that the word is a
 * number, then each keyword's own range — srv_parse_weight() (src/server.c) 0..256,
 * srv_parse_check_rise()/_fall() (src/check.c) a word and > 0, srv_parse_maxconn()/_maxqueue()
 * no check. Before session 31 the importer took Number(word): `weight abc` imported a backend of
 * weight NaN, `rise 0` and `weight 257` (HAProxy refuses to start) were imported, `maxconn 10x`
 * was NaN.
 *
 * The real `haproxy -c -f` (2.6.12) on `cfg(...)` below (the option on server a, h.cfg:7), verbatim:
 *   weight abc, weight 2x, weight (no word), weight 256, weight 4294967296 → valid
 *   weight 257   → "[ALERT] … [s.cfg:7] : 'server be/a' : weight of server a is not within 0 and 256 (257).."
 *   weight -1    → "… weight of server a is not within 0 and 256 (-1).."
 *   default-server weight 300 → "… weight of server default-server is not within 0 and 256 (300).."
 *   rise 0, rise -1, rise abc → "… 'server be/a' : 'rise' has to be > 0.."
 *   rise (no word) → "… 'server be/a' : 'rise' expects an integer argument.."
 *   fall 0 → "'fall' has to be > 0.."; fall (no word) → "'fall' expects an integer argument.."
 *   rise 2x, fall 3y, rise 4294967297 → valid
 *   maxconn abc, maxconn -1, maxconn 10x, maxqueue -5, maxqueue x → valid
 */
import { describe, expect, it } from 'vitest';
import { importAndValidate, writeTemp } from './import-helpers.js';
import { importCfg as read, valueAt as value } from './read-fixture.js';

const cfg = (option: string, defaultServer = '') =>
  [
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 30s',
    '  timeout server 30s',
    'backend be',
    defaultServer === '' ? `  server a 127.0.0.1:8080 check ${option}`.trimEnd() : `  default-server ${defaultServer}`,
    defaultServer === '' ? '  server b 127.0.0.1:8081 check' : `  server a 127.0.0.1:8080 check ${option}`.trimEnd(),
    '',
  ].join('\n');

/** Server a's weight in the imported backends (HAProxy's servers: a fallback, settled as render() does). */
const weightOf = (option: string) => {
  const into = read(cfg(option));
  into.settle();
  return (value(into, 'backends') as { name: string; weight: number }[] | undefined)?.find((s) => s.name === 'a')
    ?.weight;
};

describe('haproxy.cfg server weight, rise, fall, maxconn, maxqueue', () => {
  it('weight: what atol() makes of the word, in an int, with a warning when not a plain number; never NaN', () => {
    expect(weightOf('weight abc')).toBe(0);
    expect(weightOf('weight 2x')).toBe(2);
    expect(weightOf('weight')).toBe(0);
    expect(weightOf('weight 256')).toBe(256);
    // 256 is SRV_UWGHT_MAX, the highest srv_parse_weight() accepts (`w > SRV_UWGHT_MAX` refused).
    expect(read(cfg('weight 256')).errors).toEqual([]);
    expect(weightOf('weight 4294967296')).toBe(0);
    const into = read(cfg('weight abc'));
    expect(into.errors).toEqual([]);
    expect(into.warnings).toContain('h.cfg:7: server a weight abc: HAProxy reads it as 0 (atol(), no error)');
  });

  it('weight outside 0..256 is refused as HAProxy does (file:line, path, expected, found), default-server too', () => {
    expect(read(cfg('weight 257')).errors).toEqual([
      'h.cfg:7: backend be › server a › weight: expected an integer from 0 to 256, found \'257\' — HAProxy refuses it: "weight of server a is not within 0 and 256 (257)"',
    ]);
    expect(read(cfg('weight -1')).errors[0]).toContain('not within 0 and 256 (-1)');
    expect(read(cfg('', 'weight 300')).errors).toEqual([
      'h.cfg:7: backend be › default-server › weight: expected an integer from 0 to 256, found \'300\' — HAProxy refuses it: "weight of server default-server is not within 0 and 256 (300)"',
    ]);
    const run = importAndValidate([writeTemp('haproxy.cfg', cfg('weight 257'))]);
    expect(run.importCode).toBe(2);
    expect(run.warnings).toMatch(/haproxy\.cfg:7: backend be › server a › weight: expected an integer from 0 to 256/);
  });

  it('rise and fall: no word or ≤ 0 (atol of a word that is no number) refused; 2x is 2', () => {
    for (const bad of ['rise 0', 'rise -1', 'rise abc'])
      expect(read(cfg(bad)).errors).toEqual([
        `h.cfg:7: backend be › server a › rise: expected an integer above 0, found '${bad.slice(5)}' — HAProxy refuses it: "'rise' has to be > 0"`,
      ]);
    expect(read(cfg('rise')).errors).toEqual([
      'h.cfg:7: backend be › server a › rise: expected an integer above 0, found nothing — HAProxy refuses it: "\'rise\' expects an integer argument"',
    ]);
    expect(read(cfg('fall 0')).errors[0]).toContain('"\'fall\' has to be > 0"');
    expect(read(cfg('fall')).errors[0]).toContain('"\'fall\' expects an integer argument"');
    // Both servers checked with the same rise/fall (default-server): one value imported.
    const ok = read(cfg('', 'rise 2x fall 3y'));
    expect(ok.errors).toEqual([]);
    expect(value(ok, 'health_check.rise')).toBe(2);
    expect(value(ok, 'health_check.fall')).toBe(3);
    expect(value(read(cfg('', 'rise 4294967297')), 'health_check.rise')).toBe(1);
  });

  it('maxconn and maxqueue: atol(), a negative maxconn is past any limit (unsigned): no NaN, the scenario loads', () => {
    const abc = read(cfg('', 'maxconn abc'));
    expect(abc.errors).toEqual([]);
    expect(value(abc, 'lb.maxconn')).toBe(0);
    expect(value(read(cfg('', 'maxconn 10x')), 'lb.maxconn')).toBe(10);
    const neg = read(cfg('', 'maxconn -1'));
    expect(value(neg, 'lb.maxconn')).toBe(0);
    expect(neg.warnings).toContain(
      'h.cfg:7: default-server maxconn -1: HAProxy reads it as 4294967295 (an unsigned count), no limit: 0 imported',
    );
    expect(value(read(cfg('', 'maxconn 10 maxqueue -5')), 'lb.maxqueue')).toBeUndefined();
    expect(value(read(cfg('', 'maxconn 10 maxqueue 4x')), 'lb.maxqueue')).toBe(4);
    const run = importAndValidate([writeTemp('haproxy.cfg', cfg('', 'maxconn 10x weight abc'))]);
    expect(run.importCode).toBe(0);
    expect(run.validateCode).toBe(0);
  });
});
