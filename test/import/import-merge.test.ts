/**
 * `drainsim import` of a fleet described by several files never writes a scenario `drainsim
 * validate` refuses (review30 #3): a Deployment behind an HAProxy is balanced by HAProxy (its mode,
 * not kube-proxy's NAT), whichever order the files come in, with a warning naming both lines; and
 * every combination of the fixture files imports into a valid scenario.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importFiles } from '../../sim/import/import-files.js';
import { FIXTURES, fixture, importAndValidate } from './import-helpers.js';

describe('drainsim import of HAProxy + nginx + a Deployment', () => {
  for (const order of [
    ['haproxy-l7.cfg', 'nginx-ws.conf', 'deploy.yaml'],
    ['deploy.yaml', 'nginx-ws.conf', 'haproxy-l7.cfg'],
  ])
    it(`the balancer is HAProxy's mode http (lb.mode l7), not the Deployment's NAT: ${order.join(' ')}`, () => {
      const got = importAndValidate(order.map(fixture));
      expect(got.importCode).toBe(0);
      expect(got.refusal).toBe('');
      expect(got.validateCode).toBe(0);
      expect(got.scenario).toContain('mode: l7 # from haproxy-l7.cfg:14');
      // The NAT's idle timeout goes only with the NAT.
      expect(got.scenario).not.toContain('nat_idle_timeout');
      expect(got.scenario).toContain('sticky: cookie # from haproxy-l7.cfg:30');
      expect(got.warnings).toContain(
        'warning: deploy.yaml:2: lb.mode nat (a Deployment reached through kube-proxy) not imported: haproxy-l7.cfg:14 gives lb.mode l7',
      );
      // The backends are the Deployment's pods (its rollout replaces them), HAProxy's servers a warning.
      const scenario = parse(got.scenario);
      expect(scenario.backends.map((b: { name: string }) => b.name)).toEqual([
        'web-1',
        'web-2',
        'web-3',
        'web-surge-1',
      ]);
      expect(got.warnings).toContain(
        "warning: haproxy-l7.cfg:36: backends (HAProxy's servers vm-1, vm-2, vm-3) not imported: deploy.yaml:6 gives backends [web-1, web-2, web-3, web-surge-1]",
      );
    });

  it('a Deployment alone is reached through kube-proxy (lb.mode nat); HAProxy alone gives its servers', () => {
    const deploy = importAndValidate([fixture('deploy.yaml')]).scenario;
    expect(deploy).toContain('mode: nat # from deploy.yaml:2');
    // kube-proxy's conntrack keeps an idle flow 24 h (TCPEstablishedTimeout), not the NLB's 350 s.
    expect(deploy).toContain('nat_idle_timeout: 24h # from deploy.yaml:2');
    const haproxy = parse(importAndValidate([fixture('haproxy-l7.cfg')]).scenario);
    expect(haproxy.backends).toEqual(
      [{ name: 'vm-1' }, { name: 'vm-2' }, { name: 'vm-3' }].map((b) => ({ ...b, weight: 1 })),
    );
  });

  it('two files that set one key differently: a warning naming both lines, the last file kept', () => {
    const into = importFiles([fixture('haproxy.cfg'), fixture('haproxy-l7.cfg')]);
    expect(into.warnings).toContain(
      'haproxy.cfg:30: lb.mode l4 not imported: haproxy-l7.cfg:14 gives l7 (the last file given wins)',
    );
    expect(into.render('')).toContain('mode: l7 # from haproxy-l7.cfg:14');
    expect(into.warnings).toContain(
      "haproxy.cfg:34: backends (HAProxy's servers vm-a, vm-b) not imported: haproxy-l7.cfg:36 gives backends [vm-1, vm-2, vm-3] (the last file given wins)",
    );
  });

  it("a value the merged scenario refuses is a warning with its line and the scenario's words, not an invalid file", () => {
    // The mode tcp file last: its lb.mode l4 is kept, and the other file's cookie cannot go with it.
    const got = importAndValidate([fixture('haproxy-l7.cfg'), fixture('haproxy.cfg')]);
    expect(got.validateCode).toBe(0);
    expect(got.scenario).toContain('mode: l4 # from haproxy.cfg:30');
    expect(got.scenario).not.toMatch(/^\s+sticky:/m);
    expect(got.warnings).toMatch(
      /warning: haproxy-l7\.cfg:30: lb\.sticky cookie not imported: the scenario refuses it with the rest \(lb\.sticky: cookie needs lb\.mode: l7/,
    );
  });

  it('every combination of the fixture files imports into a scenario drainsim validate accepts', () => {
    const failures: string[] = [];
    for (let mask = 1; mask < 1 << FIXTURES.length; mask++) {
      const files = FIXTURES.filter((_, i) => mask & (1 << i));
      for (const order of [files, [...files].reverse()]) {
        const got = importAndValidate(order);
        if (got.importCode !== 0 || got.validateCode !== 0)
          failures.push(`${order.map((f) => f.split('/').pop()).join(' ')}: ${got.refusal}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
