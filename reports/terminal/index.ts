/**
 * The human summary printed to a terminal after a run: who/what/seed, key figures, histograms,
 * sparklines of the total, the verdicts, and where the files went.
 */
import type { RunResult } from '../../sim/result.js';
import type { ConsoleContext, ConsoleReport } from '../writer.js';
import { expectationLines } from './expectation-list.js';
import { figureLines } from './figure-table.js';
import { headerLines, writtenLines } from './header.js';
import { histogramLines } from './histogram-table.js';
import { sparklineLines } from './sparkline-section.js';

export function renderTerminal(result: RunResult, ctx: ConsoleContext): string {
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
