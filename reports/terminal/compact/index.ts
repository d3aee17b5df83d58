/**
 * The terminal summary a person reads after a run, in at most 30 lines (k6's end-of-test summary is
 * about 25): what ran, the story (each action and what followed it), the non-zero key figures, the
 * latencies, the backends the story is about, the expectations as ✓/✗, and where the files went.
 * Everything else — every figure, zeros included, every histogram, the total's sparklines — is in
 * the `--verbose` summary and in summary.json.
 */
import type { RunResult } from '../../../sim/result.js';
import { formatDuration } from '../../../sim/scenario/units.js';
import { firstSentence } from '../../../sim/util/first-sentence.js';
import { colorize } from '../../colorize.js';
import { wallClock } from '../../wall-clock.js';
import type { ConsoleContext } from '../../writer.js';
import { INDENT } from '../layout.js';
import { backendRows } from './backends.js';
import { expectationRows } from './expectations.js';
import { cellRows, figureCells } from './figure-cells.js';
import { latencyTable } from './latency.js';
import { fitSections, type Section } from './sections.js';
import { loudest, storyLines } from './story.js';

/** The most lines the summary may take, files line included. */
export const SUMMARY_LINES = 30;

/** The description's first sentence (as `drainsim list` shows it), cut to the width. */
function aboutLine(text: string, width: number): string {
  const sentence = firstSentence(text);
  return sentence.length <= width ? sentence : `${sentence.slice(0, Math.max(10, width - 1)).trimEnd()}…`;
}

function filesLine(ctx: ConsoleContext): string[] {
  if (ctx.written.length === 0) return [];
  const dir = ctx.written[0]!.slice(0, Math.max(0, ctx.written[0]!.lastIndexOf('/') + 1));
  const names = ctx.written.map((p) => p.slice(dir.length)).join(' ');
  return [`${colorize('Files', 'bold', ctx.color)} ${dir}  ${names}`];
}

/** A line cut to the width (a last resort: sections size their own lines); coloured lines are titles, short. */
function clipToWidth(line: string, width: number): string {
  if (line.includes('\u001b[')) return line;
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, width - 1).join('')}…`;
}

export function renderCompact(result: RunResult, ctx: ConsoleContext): string {
  const width = Math.max(60, ctx.width);
  const clock = wallClock(result.start);
  const span = `${clock.at(0)} → ${clock.at(result.horizon)} (${formatDuration(result.horizon)})`;
  // Long names drop the version, then the tool's name, before anything is cut.
  const parts = ['drainsim', result.scenario.name, `seed ${result.seed}`, `v${result.version}`, span];
  let title = parts.join(' · ');
  if (title.length > width) title = parts.filter((_, i) => i !== 3).join(' · ');
  if (title.length > width) title = parts.filter((_, i) => i !== 0 && i !== 3).join(' · ');
  const about = aboutLine(result.scenario.description, width);
  const head = [colorize(title, 'bold', ctx.color), ...(about === '' ? [] : [colorize(about, 'dim', ctx.color)])];
  const files = filesLine(ctx);

  const story = storyLines(result, width - INDENT.length);
  const { cells, all } = figureCells(result);
  const latency = latencyTable(result, INDENT);
  const sections: Section[] = [
    {
      title: colorize('Story', 'bold', ctx.color),
      items: story.map((s) => INDENT + s.text),
      keep: 4,
      floor: 2,
      importance: 3,
      trim: (_items, keep) => loudest(story, keep).map((s) => INDENT + s.text),
    },
    {
      title: colorize(`Key figures · ${cells.length} of ${all} not zero`, 'bold', ctx.color),
      items: cellRows(cells, width, INDENT),
      keep: 5,
      floor: 2,
      importance: 0,
    },
    {
      title: colorize(latency.title, 'bold', ctx.color),
      items: latency.rows,
      keep: 2,
      floor: 1,
      importance: 2,
    },
    {
      title: colorize('Backends', 'bold', ctx.color),
      items: backendRows(result, width, INDENT),
      keep: 2,
      floor: 0,
      importance: 1,
    },
    ...expectationSection(result, ctx),
  ];
  // The hint line below counts too.
  const budget = SUMMARY_LINES - head.length - files.length - 1;
  const body = fitSections(sections, budget).map((s) => {
    const more = s.hidden > 0 ? colorize(` (+${s.hidden} more: --verbose)`, 'dim', ctx.color) : '';
    return [s.title + more, ...s.items];
  });
  const hint = colorize('every figure, histogram and series: --verbose, summary.json, report.html', 'dim', ctx.color);
  // Paths are never cut: a reader copies them.
  const lines = [...[...head, ...body.flat()].map((line) => clipToWidth(line, width)), ...files, hint];
  return `${lines.join('\n')}\n`;
}

function expectationSection(result: RunResult, ctx: ConsoleContext): Section[] {
  const rows = expectationRows(result, ctx, INDENT);
  if (rows === undefined) return [];
  return [
    { title: rows.title, items: rows.items, keep: Math.max(rows.mustKeep, 4), floor: rows.mustKeep, importance: 4 },
  ];
}
