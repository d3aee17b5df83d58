/** The files of a finished sweep, rendered together so they are written whole or not at all. */

import { renderSweepHtml } from '../../reports/sweep-html/index.js';
import type { OutputFile } from '../../reports/write-atomic.js';
import { figureNames, summarizeSweep } from './summarize.js';
import { renderSummaryCsv } from './summary-csv.js';
import { renderSweepCsv } from './sweep-csv.js';
import type { SweepData } from './types.js';

export function sweepOutputFiles(data: SweepData): OutputFile[] {
  const figures = figureNames(data);
  const summary = summarizeSweep(data, figures);
  return [
    { fileName: 'sweep.csv', text: renderSweepCsv(data, figures) },
    { fileName: 'sweep-summary.csv', text: renderSummaryCsv(data, summary) },
    { fileName: 'sweep.html', text: renderSweepHtml(data, summary, figures) },
  ];
}
