/**
 * The human summary printed to a terminal after a run. By default the ≤ 30-line summary
 * (compact/index.ts); with `--verbose` the full one: who/what/seed, every key figure, histograms,
 * sparklines of the total, the verdicts, and where the files went.
 */
import type { RunResult } from '../../sim/result.js';
import type { ConsoleContext, ConsoleReport } from '../writer.js';
import { renderCompact } from './compact/index.js';
import { expectationLines } from './expectation-list.js';
import { figureLines } from './figure-table.js';
import { headerLines, writtenLines } from './header.js';
import { histogramLines } from './histogram-table.js';
import { sparklineLines } from './sparkline-section.js';

export function renderTerminal(result: RunResult, ctx: ConsoleContext): string {
  return ctx.verbose === true ? renderVerbose(result, ctx) : renderCompact(result, ctx);
}

/** Today's detailed summary, every figure included. */
export function renderVerbose(result: RunResult, ctx: ConsoleContext): string {
  const sections = [
    headerLines(result, ctx),
    figureLines(result, ctx),
    histogramLines(result, ctx),
    sparklineLines(result, ctx),
    expectationLines(result, ctx),
    writtenLines(ctx),
  ].filter((lines) => lines.length > 0);
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

export const terminal: ConsoleReport = { name: 'terminal', render: renderTerminal };
