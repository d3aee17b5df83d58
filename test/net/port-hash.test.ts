import { describe, expect, it } from 'vitest';
import { mix, PortHashSecrets } from '../../sim/net/port-hash.js';
import { testRng } from './kernel-test-rng.js';

const SECRETS = { index: 11, offset: 22, perturb: 0x9e3779b9 };

describe('table_perturb[] (PortHashSecrets)', () => {
  it('keeps every slot its own increments when walks alternate between slots', () => {
    // The slot written last is kept inline and the others in a map: moving between them must
    // lose or mix no increment (a wrong hand-over shows as another slot's sum).
    const t = new PortHashSecrets(testRng(1), SECRETS);
    const added = new Map<number, number>();
    const bumps: [number, number][] = [
      [7, 3],
      [7, 5],
      [9, 2],
      [7, 4],
      [0, 6],
      [9, 0xffffffff],
      [9, 8],
      [0, 1],
      [7, 2],
    ];
    for (const [index, by] of bumps) {
      t.addPerturb(index, by);
      added.set(index, ((added.get(index) ?? 0) + by) >>> 0);
      for (const i of [0, 7, 9, 12])
        expect(t.perturb(i) >>> 0).toBe((mix(SECRETS.perturb, i) + (added.get(i) ?? 0)) >>> 0);
    }
    expect(added.get(9)).toBe(9); // u32 wrap-around of 2 + (2^32 − 1) + 8
  });

  it('reads a slot never written as its boot value', () => {
    const t = new PortHashSecrets(testRng(1), SECRETS);
    expect(t.perturb(5) >>> 0).toBe(mix(SECRETS.perturb, 5));
    t.addPerturb(5, 10);
    expect(t.perturb(6) >>> 0).toBe(mix(SECRETS.perturb, 6));
  });
});
