/** Key figures grouped by the prefix before the first dot, names and values aligned across groups. */
import type { RunResult } from '../../sim/result.js';
import { colorize } from '../colorize.js';
import type { ConsoleContext } from '../writer.js';
import { formatValue } from './format.js';
import { INDENT } from './layout.js';

interface Row {
  label: string;
  value: string;
}

export function figureLines(result: RunResult, ctx: ConsoleContext): string[] {
  const names = Object.keys(result.figures).sort();
  if (names.length === 0) return [];
  const groups = new Map<string, Row[]>();
  for (const name of names) {
    const dot = name.indexOf('.');
    const group = dot < 0 ? name : name.slice(0, dot);
    const rows = groups.get(group) ?? [];
    rows.push({ label: dot < 0 ? '' : name.slice(dot + 1), value: formatValue(name, result.figures[name]!) });
    groups.set(group, rows);
  }
  const all = [...groups.values()].flat();
  const labelWidth = Math.max(...all.map((r) => r.label.length));
  const valueWidth = Math.max(...all.map((r) => r.value.length));
  const row = (indent: string, label: string, value: string, width: number): string =>
    `${indent}${label.padEnd(width)}  ${value.padStart(valueWidth)}`;

  const lines = [colorize('Key figures', 'bold', ctx.color)];
  for (const [group, rows] of groups) {
    // An undotted figure is a group of its own; its value sits on the group's line.
    const only = rows.length === 1 && rows[0]!.label === '' ? rows[0]! : undefined;
    if (only) {
      lines.push(row(INDENT, group, only.value, labelWidth + INDENT.length));
      continue;
    }
    lines.push(`${INDENT}${colorize(group, 'dim', ctx.color)}`);
    for (const r of rows) lines.push(row(INDENT + INDENT, r.label, r.value, labelWidth));
  }
  return lines;
}
