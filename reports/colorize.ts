/**
 * The only place reports choose colours. Callers name what a piece of text means; the palette lives
 * here, and whether colour is used at all is decided once by the caller (shouldColor).
 */
import { Chalk, type ChalkInstance } from 'chalk';

export type Tone = 'ok' | 'warn' | 'fail' | 'dim' | 'bold';

// Explicit instances: chalk's default one sniffs the environment itself, which would make output
// depend on where it runs rather than on the caller's decision.
const colored = new Chalk({ level: 1 });
const plain = new Chalk({ level: 0 });

const palette: Record<Tone, (c: ChalkInstance) => ChalkInstance> = {
  ok: (c) => c.green,
  warn: (c) => c.yellow,
  fail: (c) => c.red.bold,
  dim: (c) => c.dim,
  bold: (c) => c.bold,
};

export function colorize(text: string, tone: Tone, enabled: boolean): string {
  return palette[tone](enabled ? colored : plain)(text);
}

// Its own module, so deciding on colour does not load chalk.
export { shouldColor } from './should-color.js';
