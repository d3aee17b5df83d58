/**
 * A varied parameter's value as the simulator saw it, for the CSV: read back from the resolved
 * scenario at the `--set` path, so `5m` shows as 300 (seconds, like every duration in drainsim's
 * outputs) and a distribution as its normalised spec.
 */
import { isPlainObject } from '../scenario/merge.js';
import { parseSetOverride } from '../scenario/set-override.js';
import { toPlain } from '../scenario/to-plain.js';
import type { CellValue } from './types.js';

export function resolvedValue(scenario: unknown, path: string): CellValue {
  let node: unknown = scenario;
  for (const segment of parseSetOverride(`${path}=`).segments) {
    if (Array.isArray(node)) {
      const key = 'key' in segment ? segment.key : String(segment.index);
      // Lists are addressed by index or, like --set, by the element's name.
      node = /^\d+$/.test(key) ? node[Number(key)] : node.find((el) => isPlainObject(el) && el.name === key);
    } else if (isPlainObject(node) && 'key' in segment) {
      node = node[segment.key];
    } else {
      return null;
    }
  }
  return cell(toPlain(node));
}

function cell(value: unknown): CellValue {
  if (value === undefined || value === null) return null;
  // A disabled timeout resolves to Infinity; say so rather than leave the cell empty.
  if (typeof value === 'number' && !Number.isFinite(value))
    return Number.isNaN(value) ? null : value > 0 ? 'infinite' : '-infinite';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}
