/**
 * One scenario file, parsed once: its data and its YAML document, kept so that a path inside the
 * data can later be traced back to a line and column.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ScenarioError } from './errors.js';

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

export function readYamlSource(absPath: string, file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(absPath, 'utf8');
  } catch (err) {
    throw new ScenarioError([{ file, path: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  return parseYamlSource(text, absPath, file);
}

export function parseYamlSource(text: string, absPath: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  // prettyErrors off: the message stays one line and the position is reported separately.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { file, line, column: col, path: '', message: `malformed YAML: ${error.message}` };
      }),
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (data === null || data === undefined) return { file, absPath, doc, lineCounter, data: {} };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError([{ file, line: 1, column: 1, path: '', message: 'expected a mapping of scenario settings at the top level' }]);
  }
  return { file, absPath, doc, lineCounter, data: data as Record<string, unknown> };
}
