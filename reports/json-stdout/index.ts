/** `--format json`: the summary.json document on stdout, for piping into jq or another tool. */
import { renderSummaryJson } from '../summary-json/index.js';
import type { ConsoleReport } from '../writer.js';

export const jsonStdout: ConsoleReport = { name: 'json', render: (result) => renderSummaryJson(result) };
