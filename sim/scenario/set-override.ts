/**
 * `--set path=value` overrides, applied to the merged scenario before validation.
 *
 * Paths: `a.b.c`, `backends[2].nginx.keepalive_timeout`, and `backends.vm-a.weight` — a key applied
 * to a list picks the element whose `name` is that key, so overrides survive reordering.
 * Values are YAML flow values: `5s` is a string, `3` a number, `true` a boolean, `[1, 2]` a list.
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import { clip, ScenarioError } from './errors.js';
import { isPlainObject, setOwn } from './merge.js';
import { nearestMatches } from './nearest.js';
import { formatPath, type PathSegment } from './path.js';
import { MAX_ALIAS_COUNT } from './yaml-source.js';

type SetSegment = { key: string } | { index: number };

export interface SetOverride {
  /** As typed, for error messages: `backends.vm-a.weight=3`. */
  text: string;
  /** The path as typed: `backends.vm-a.weight`. */
  pathText: string;
  segments: SetSegment[];
  value: unknown;
}

const PART = /^([^.[\]=\s]+)((?:\[\d+\])*)$/;

function fail(text: string, path: string, message: string, suggestion?: string): never {
  throw new ScenarioError([{ file: `--set ${clip(text, 200)}`, path, message, suggestion }]);
}

/**
 * Keys that would reach an object's prototype rather than the scenario (`--set __proto__.x=1`
 * polluting every object of the process); no scenario setting has these names.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function parsePath(text: string, pathText: string): SetSegment[] {
  const segments: SetSegment[] = [];
  for (const part of pathText.split('.')) {
    const match = PART.exec(part);
    if (match === null)
      fail(
        text,
        '',
        `malformed path '${clip(pathText)}': expected path=value, e.g. backends[0].nginx.keepalive_timeout=5s`,
      );
    if (FORBIDDEN_KEYS.has(match[1]))
      fail(
        text,
        '',
        `'${match[1]}' cannot appear in a path: it names no setting and would reach the prototype of every object`,
      );
    segments.push({ key: match[1] });
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) segments.push({ index: Number(index[1]) });
  }
  return segments;
}

/**
 * The value as YAML would read it after `key: `. Block collections are not values one types on a
 * command line; text that happens to parse as one (`note=a: b`) is kept as the string it was.
 */
function parseValue(text: string, valueText: string, pathText: string): unknown {
  if (valueText.trim() === '') return '';
  const doc = parseDocument(valueText, { prettyErrors: false });
  if (doc.errors.length > 0) fail(text, pathText, `cannot parse value '${clip(valueText)}': ${doc.errors[0].message}`);
  const contents = doc.contents;
  if ((isMap(contents) || isSeq(contents)) && !contents.flow) return valueText;
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError || err instanceof RangeError)
      fail(text, pathText, `cannot use value '${clip(valueText)}': ${err.message}`);
    throw err;
  }
}

export function parseSetOverride(text: string): SetOverride {
  const eq = text.indexOf('=');
  if (eq <= 0) fail(text, '', `expected path=value (e.g. backends[0].nginx.keepalive_timeout=5s), found '${text}'`);
  const pathText = text.slice(0, eq).trim();
  return { text, pathText, segments: parsePath(text, pathText), value: parseValue(text, text.slice(eq + 1), pathText) };
}

/** Which list index a segment picks: `[2]`, a numeric key, or the element whose `name` matches. */
function listIndex(list: unknown[], segment: SetSegment, override: SetOverride, at: PathSegment[]): number {
  const key = 'key' in segment ? segment.key : undefined;
  const index = key === undefined ? (segment as { index: number }).index : /^\d+$/.test(key) ? Number(key) : undefined;
  if (index !== undefined) {
    // One past the end appends, so an override can add an element.
    if (index > list.length)
      fail(override.text, formatPath(at), `index ${index} is out of range: the list has ${list.length} element(s)`);
    return index;
  }
  const names = list
    .map((el) => (isPlainObject(el) && typeof el.name === 'string' ? el.name : undefined))
    .filter((n): n is string => n !== undefined);
  const found = list.findIndex((el) => isPlainObject(el) && el.name === key);
  if (found < 0) {
    const listed = names.length > 0 ? `names: ${names.join(', ')}` : 'it has no named elements';
    fail(
      override.text,
      formatPath(at),
      `no element named '${key}' (${listed})`,
      nearestMatches(key as string, names, 1)[0],
    );
  }
  return found;
}

/** Writes the override into `data` (mutating it) and returns the concrete path it wrote. */
export function applySetOverride(data: Record<string, unknown>, override: SetOverride): PathSegment[] {
  return applySetOverrideOwned(data, override).path;
}

/**
 * Writes the override and says what it owns: the concrete path it wrote and, when it created
 * mappings or lists on the way (`--set a.b.c=1` on a scenario without `a`), the first one it
 * created. Everything under `owned` came from the command line, so an error there (`a: unknown
 * key`) is the --set option's, not the file's.
 */
export function applySetOverrideOwned(
  data: Record<string, unknown>,
  override: SetOverride,
): { path: PathSegment[]; owned: PathSegment[] } {
  let node: unknown = data;
  const at: PathSegment[] = [];
  let owned: PathSegment[] | undefined;
  override.segments.forEach((segment, i) => {
    let step: PathSegment;
    if (Array.isArray(node)) step = listIndex(node, segment, override, at);
    else if (isPlainObject(node) && 'key' in segment) step = segment.key;
    else
      fail(
        override.text,
        formatPath(at),
        `cannot set '${override.pathText}': ${at.length === 0 ? 'the scenario' : formatPath(at)} is not a ${'key' in segment ? 'mapping' : 'list'}`,
      );
    at.push(step);
    const container = node as Record<PropertyKey, unknown>;
    if (i === override.segments.length - 1) {
      if (typeof step === 'string') setOwn(container as Record<string, unknown>, step, override.value);
      else container[step] = override.value;
      return;
    }
    let child = Object.hasOwn(container, step) ? container[step] : undefined;
    if (child === undefined || child === null) {
      owned ??= [...at];
      child = 'index' in override.segments[i + 1] ? [] : Object.create(null);
      if (typeof step === 'string') setOwn(container as Record<string, unknown>, step, child);
      else container[step] = child;
    }
    node = child;
  });
  return { path: at, owned: owned ?? at };
}
