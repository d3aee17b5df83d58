/**
 * What is wrong with a scenario, said precisely enough to fix it without reading the source:
 * file, line and column, the path inside the scenario, what was expected, what was found, and the
 * nearest valid key or value.
 */
export interface ScenarioIssue {
  /** The file as shown to the user, or `--set <expr>` when an override caused the issue. */
  file: string;
  line?: number;
  column?: number;
  /** Path inside the scenario, e.g. `backends[2].nginx.keepalive_timeout`; empty for file-level issues. */
  path: string;
  message: string;
  expected?: string;
  /** The offending value, as JSON and truncated. */
  found?: string;
  suggestion?: string;
}

/**
 * Whether a message already names the value (custom messages often do: "unit-less duration '30'");
 * saying it twice reads as a stutter. A whole-token match, so "e.g. 30s" does not count as 30.
 */
function quotesValue(message: string, found: string): boolean {
  // `found` is JSON; a message quotes a string its own way ('-5s'), so look for the bare text too.
  const forms = found.startsWith('"') ? [found, found.slice(1, -1)] : [found];
  return forms.some((form) => {
    const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return form !== '' && new RegExp(`(^|[^\\w.])${escaped}($|[^\\w.])`).test(message);
  });
}

/** One line per issue: `file:line:col: path: message, found X; did you mean 'Y'?` */
export function formatIssue(issue: ScenarioIssue): string {
  const location = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  let text = issue.path === '' ? `${location}: ${issue.message}` : `${location}: ${issue.path}: ${issue.message}`;
  if (issue.found !== undefined && !quotesValue(issue.message, issue.found)) text += `, found ${issue.found}`;
  if (issue.suggestion !== undefined) text += `; did you mean '${issue.suggestion}'?`;
  return text;
}

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly issues: ScenarioIssue[];

  constructor(issues: ScenarioIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }

  /** All issues, one per line (no trailing newline). */
  format(): string {
    return this.issues.map(formatIssue).join('\n');
  }
}
