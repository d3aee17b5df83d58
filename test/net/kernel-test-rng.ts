import { Mulberry32 } from '../../sim/engine/mulberry32.js';

/** A seeded stream for the kernel-model tests (never Math.random). */
export const testRng = (seed: number) => new Mulberry32(seed);
