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

/** The longest run of non-blank characters a message shows whole (a key, a value, a path). */
const TOKEN_MAX = 120;
/** How much of a longer run is kept. */
const TOKEN_KEEP = 80;

/**
 * A message with every overlong token cut: `xxxx…(1000000 characters)`. Messages quote the
 * offending value; a hostile or broken input (a 1 MB enum value, /dev/zero read as a CSV) must
 * not be echoed whole to stderr, and no file content beyond that token ever reaches a message.
 */
export function clipTokens(text: string): string {
  if (text.length <= TOKEN_MAX) return text;
  return text.replace(
    new RegExp(`[^\\s'"\\\`]{${TOKEN_MAX + 1},}`, 'g'),
    (token) => `${token.slice(0, TOKEN_KEEP)}…(${token.length} characters)`,
  );
}

/** A value quoted in a message, cut to `max` characters. */
export function clip(value: string, max = TOKEN_KEEP): string {
  return value.length <= max ? value : `${value.slice(0, max)}…(${value.length} characters)`;
}

/** One line per issue: `file:line:col: path: message, found X; did you mean 'Y'?` */
export function formatIssue(issue: ScenarioIssue): string {
  const location =
    issue.line === undefined ? clip(issue.file, 200) : `${clip(issue.file, 200)}:${issue.line}:${issue.column ?? 1}`;
  const message = clip(clipTokens(issue.message), 2000);
  let text =
    issue.path === '' ? `${location}: ${message}` : `${location}: ${clip(clipTokens(issue.path), 200)}: ${message}`;
  const found = issue.found === undefined ? undefined : clip(issue.found);
  if (found !== undefined && !quotesValue(message, found)) text += `, found ${clipTokens(found)}`;
  if (issue.suggestion !== undefined) text += `; did you mean '${clip(issue.suggestion)}'?`;
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
