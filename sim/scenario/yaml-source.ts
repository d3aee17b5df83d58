/**
 * One scenario file, parsed once: its data and its YAML document, kept so that a path inside the
 * data can later be traced back to a line and column.
 */
import { type Document, LineCounter, parseDocument, visit } from 'yaml';
import { ScenarioError, type ScenarioIssue } from './errors.js';
import { InputFileError, readInputFile } from './input-file.js';

/** The largest scenario file read: the built-ins are a few KiB; a bigger one is not a scenario. */
export const MAX_SCENARIO_BYTES = 2 * 1024 * 1024;
/**
 * YAML aliases expanded per file at most (the yaml package's maxAliasCount): a few anchors reuse
 * settings, while nested aliases of aliases (a "billion laughs" file) grow exponentially.
 */
export const MAX_ALIAS_COUNT = 1000;
/** Nesting deeper than this is not a scenario (the schema nests 5 levels); deeper data could exhaust the stack. */
export const MAX_NESTING = 64;

export interface YamlSource {
  /** The file as shown to the user. */
  file: string;
  /** Absolute path. */
  absPath: string;
  doc: Document;
  lineCounter: LineCounter;
  /** The file's content as plain data (always a mapping). */
  data: Record<string, unknown>;
}

/**
 * Reads and parses one scenario file. `referencedAt` is where another file's `extends:` named it:
 * a file that may not be read is that line's error.
 */
export function readYamlSource(
  absPath: string,
  file: string,
  referencedAt?: Omit<ScenarioIssue, 'message'>,
): YamlSource {
  let text: string;
  try {
    text = readInputFile(absPath, MAX_SCENARIO_BYTES);
  } catch (err) {
    const reason = err instanceof InputFileError ? err.reason : ((err as NodeJS.ErrnoException).code ?? 'error');
    if (referencedAt !== undefined)
      throw new ScenarioError([{ ...referencedAt, message: `cannot read '${file}': ${reason}` }]);
    throw new ScenarioError([{ file, path: '', message: `cannot read file: ${reason}` }]);
  }
  return parseYamlSource(text, absPath, file);
}

/** Whether the data nests deeper than MAX_NESTING (recursion stops there, so it cannot overflow). */
function tooDeep(data: unknown, depth = 0): boolean {
  if (depth > MAX_NESTING) return true;
  if (data === null || typeof data !== 'object') return false;
  for (const value of Object.values(data as object)) if (tooDeep(value, depth + 1)) return true;
  return false;
}

function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

function firstAliasPosition(doc: Document): number {
  let pos = 0;
  visit(doc, {
    Alias(_key, node) {
      pos = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return pos;
}

export function parseYamlSource(text: string, absPath: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const deep = (pos = 0) => {
    const { line, col } = lineCounter.linePos(pos);
    return new ScenarioError([
      {
        file,
        line,
        column: col,
        path: '',
        message: `nested deeper than ${MAX_NESTING} levels: a scenario nests a few mappings and lists`,
      },
    ]);
  };
  // prettyErrors off: the message stays one line and the position is reported separately.
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false });
  } catch (err) {
    if (isStackOverflow(err)) throw deep();
    throw err;
  }
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.slice(0, 10).map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        // The parser recurses per nesting level; its stack overflow is the file's depth, not a syntax error.
        if (/call stack/i.test(error.message)) return deep(error.pos[0]).issues[0]!;
        return { file, line, column: col, path: '', message: `malformed YAML: ${error.message}` };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (isStackOverflow(err)) throw deep();
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      const { line, col } = lineCounter.linePos(firstAliasPosition(doc));
      throw new ScenarioError([
        {
          file,
          line,
          column: col,
          path: '',
          message: `YAML aliases expand to more than ${MAX_ALIAS_COUNT} nodes (an alias bomb?): write the settings out`,
        },
      ]);
    }
    if (err instanceof ReferenceError) {
      throw new ScenarioError([{ file, line: 1, column: 1, path: '', message: `malformed YAML: ${err.message}` }]);
    }
    throw err;
  }
  if (tooDeep(data)) throw deep();
  if (data === null || data === undefined) return { file, absPath, doc, lineCounter, data: {} };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError([
      { file, line: 1, column: 1, path: '', message: 'expected a mapping of scenario settings at the top level' },
    ]);
  }
  return { file, absPath, doc, lineCounter, data: data as Record<string, unknown> };
}
