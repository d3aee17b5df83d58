/** First and last lines of the terminal summary: what ran, with which seed, and where files went. */
import type { RunResult } from '../../sim/result.js';
import { formatDuration } from '../../sim/scenario/units.js';
import { colorize } from '../colorize.js';
import { wallClock } from '../wall-clock.js';
import type { ConsoleContext } from '../writer.js';
import { formatNumber } from './format.js';
import { INDENT } from './layout.js';

export function headerLines(result: RunResult, ctx: ConsoleContext): string[] {
  const clock = wallClock(result.start);
  const title = ['drainsim', result.scenario.name, `seed ${result.seed}`, `v${result.version}`].join(' · ');
  const about = [result.scenario.file, result.scenario.description].filter((s) => s !== '').join(' — ');
  const span =
    `simulated ${clock.at(0)} → ${clock.at(result.horizon)} (${formatDuration(result.horizon)})` +
    ` · ${formatNumber(result.engineEvents)} engine events`;
  return [colorize(title, 'bold', ctx.color), ...(about === '' ? [] : [colorize(about, 'dim', ctx.color)]), span];
}

export function writtenLines(ctx: ConsoleContext): string[] {
  if (ctx.written.length === 0) return [];
  return [colorize('Files', 'bold', ctx.color), ...ctx.written.map((p) => `${INDENT}${p}`)];
}
