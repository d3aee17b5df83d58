import { DistributionError } from './errors.js';

/** A distribution text of the form `family(arg, arg, ...)`, split into its parts. */
export interface CallSyntax {
  readonly family: string;
  /** Argument texts, trimmed, split at top-level commas (a `mix` nests calls). */
  readonly args: readonly string[];
}

const CALL = /^([A-Za-z_][\w-]*)\s*\(([\s\S]*)\)$/;
const EXPECTED = "a distribution such as 'exp(mean=2s)', 'lognormal(median=30m, p99=6h)' or a duration such as '30s'";

/** Splits `family(args)`, or returns undefined when the text has no call shape at all. */
export function readCall(text: string): CallSyntax | undefined {
  const m = CALL.exec(text);
  if (m === null) {
    if (text.includes('(') || text.includes(')')) throw unbalanced(text);
    return undefined;
  }
  const inner = m[2]!;
  return { family: m[1]!, args: inner.trim() === '' ? [] : splitTopLevel(inner, text) };
}

function splitTopLevel(inner: string, whole: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i];
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth < 0) throw unbalanced(whole);
    } else if (ch === ',' && depth === 0) {
      parts.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) throw unbalanced(whole);
  parts.push(inner.slice(start).trim());
  const empty = parts.indexOf('');
  if (empty >= 0) {
    throw new DistributionError(
      `empty argument ${empty + 1} in '${whole}'`,
      'a value between the commas',
      `'${whole}'`,
    );
  }
  return parts;
}

function unbalanced(text: string): DistributionError {
  return new DistributionError(`unbalanced parentheses in distribution '${text}'`, EXPECTED, `'${text}'`);
}

export { EXPECTED as EXPECTED_DISTRIBUTION };
