import { constantFamily } from './constant.js';
import { empiricalFamily } from './empirical.js';
import { exponentialFamily } from './exponential.js';
import { lognormalFamily } from './lognormal.js';
import { mixtureFamily } from './mixture.js';
import { normalFamily } from './normal.js';
import { paretoFamily } from './pareto.js';
import type { Family } from './types.js';
import { uniformFamily } from './uniform.js';

/** Every distribution family, in the order error messages list them. */
export const FAMILIES: readonly Family[] = [
  constantFamily,
  uniformFamily,
  exponentialFamily,
  lognormalFamily,
  normalFamily,
  paretoFamily,
  empiricalFamily,
  mixtureFamily,
];

/** Family by lower-case name or alias. */
export const FAMILY_BY_NAME: ReadonlyMap<string, Family> = new Map(
  FAMILIES.flatMap((f) => [f.name, ...(f.aliases ?? [])].map((name) => [name, f] as const)),
);
