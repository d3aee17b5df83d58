/**
 * Traces a path in the merged scenario back to where its value was written: a line and column in
 * the leaf file or one of the files it extends, or the `--set` override that supplied it.
 *
 * Merging decides who owns a value: mappings merge key by key, so a key missing from the leaf may
 * come from a base file; a list or scalar replaces the base's outright, so inside it only the file
 * that wrote it can own anything.
 */
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { ScenarioIssue } from './errors.js';
import { isPathPrefix, type PathSegment } from './path.js';
import type { YamlSource } from './yaml-source.js';

export type Anchor = 'key' | 'value' | 'parent';

/** An override as applied: its text as typed and the concrete path it wrote. */
export interface AppliedOverride {
  text: string;
  path: PathSegment[];
}

type Location = Pick<ScenarioIssue, 'file' | 'line' | 'column'>;

type Lookup = { kind: 'found'; offset: number } | { kind: 'absent' } | { kind: 'replaced' };

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** An empty value (`key:`) has no text of its own; point at its key instead. */
function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && node.source === '';
}

function lookup(source: YamlSource, path: readonly PathSegment[], anchor: 'key' | 'value'): Lookup {
  let node: unknown = source.doc.contents;
  let keyNode: Node | undefined;
  let insideReplacement = false;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(source.doc);
    const segment = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (pair === undefined) return insideReplacement ? { kind: 'replaced' } : { kind: 'absent' };
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      insideReplacement = true;
      if (segment >= node.items.length) return { kind: 'replaced' };
      keyNode = undefined;
      node = node.items[segment];
    } else {
      // A scalar or list stands where the path wants a mapping: this file replaced the bases' value.
      return { kind: 'replaced' };
    }
  }
  const target = anchor === 'key' || isEmptyScalar(node) || node === null ? (keyNode ?? node) : node;
  const range = (target as Node | null | undefined)?.range;
  return range ? { kind: 'found', offset: range[0] } : { kind: 'absent' };
}

/**
 * Where the value at `path` came from. `anchor` picks what to point at: the key (an unknown key),
 * the value, or the enclosing mapping (a missing key). Without a match, the leaf file and no line.
 */
export function locate(
  sources: readonly YamlSource[],
  overrides: readonly AppliedOverride[],
  path: readonly PathSegment[],
  anchor: Anchor,
): Location {
  // Later overrides win, so the last one covering the path is the one that wrote it.
  for (let i = overrides.length - 1; i >= 0; i--) {
    if (isPathPrefix(overrides[i].path, path)) return { file: `--set ${overrides[i].text}` };
  }
  const target = anchor === 'parent' ? path.slice(0, -1) : path;
  for (const source of sources) {
    const result = lookup(source, target, anchor === 'key' ? 'key' : 'value');
    if (result.kind === 'found') {
      const { line, col } = source.lineCounter.linePos(result.offset);
      return { file: source.file, line, column: col };
    }
    // This file wrote the enclosing list or scalar, so no base file can hold the value: point at
    // the deepest part of the path it does hold (a timeline entry missing its `do:`).
    if (result.kind === 'replaced') return enclosing(source, target) ?? { file: source.file };
  }
  const leaf = sources[0];
  if (leaf === undefined) return { file: '' };
  return enclosing(leaf, target) ?? { file: leaf.file };
}

/** The line of the longest prefix of `path` written in `source`, if any but the whole document. */
function enclosing(source: YamlSource, path: readonly PathSegment[]): Location | undefined {
  for (let length = path.length - 1; length > 0; length--) {
    const result = lookup(source, path.slice(0, length), 'value');
    if (result.kind === 'found') {
      const { line, col } = source.lineCounter.linePos(result.offset);
      return { file: source.file, line, column: col };
    }
  }
  return undefined;
}
