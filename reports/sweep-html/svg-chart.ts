/**
 * A small line chart as inline SVG (no script, no dependency): per series the mean as a line
 * with markers, its 95 % confidence interval as a band and the p95 as a dashed line. Each marker
 * carries a tooltip (<title>) with the numbers behind it.
 */
import { escapeHtml } from '../html/escape.js';

export interface ChartPoint {
  /** Position on the x axis: the value, or the category index for a categorical axis. */
  x: number;
  mean: number;
  low: number | null;
  high: number | null;
  p95: number;
  tooltip: string;
}

export interface ChartSeries {
  label: string;
  color: string;
  points: ChartPoint[];
}

export interface ChartSpec {
  xLabel: string;
  /** Labels of a categorical x axis (x = index); absent for a numeric axis. */
  categories?: readonly string[];
  series: readonly ChartSeries[];
}

const WIDTH = 380;
const HEIGHT = 230;
const M = { left: 58, right: 12, top: 10, bottom: 42 };
const PLOT_W = WIDTH - M.left - M.right;
const PLOT_H = HEIGHT - M.top - M.bottom;

export function svgChart(spec: ChartSpec): string {
  const points = spec.series.flatMap((s) => s.points);
  const xs = points.map((p) => p.x);
  const ys = points.flatMap((p) => [p.mean, p.p95, p.low ?? p.mean, p.high ?? p.mean]);
  const xTicks = spec.categories
    ? spec.categories.map((label, i) => ({ value: i, label }))
    : niceTicks(Math.min(...xs), Math.max(...xs));
  const yTicks = niceTicks(Math.min(0, ...ys), Math.max(...ys));
  const x = scale(
    xTicks[0]!.value,
    xTicks[xTicks.length - 1]!.value,
    M.left,
    M.left + PLOT_W,
    spec.categories !== undefined,
  );
  const y = scale(yTicks[0]!.value, yTicks[yTicks.length - 1]!.value, M.top + PLOT_H, M.top, false);

  const out: string[] = [`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img">`];
  for (const t of yTicks) {
    out.push(
      `<line class="grid" x1="${M.left}" x2="${M.left + PLOT_W}" y1="${fmt(y(t.value))}" y2="${fmt(y(t.value))}"/>`,
    );
    out.push(
      `<text class="tick" x="${M.left - 6}" y="${fmt(y(t.value) + 4)}" text-anchor="end">${escapeHtml(t.label)}</text>`,
    );
  }
  for (const t of xTicks) {
    out.push(
      `<text class="tick" x="${fmt(x(t.value))}" y="${M.top + PLOT_H + 16}" text-anchor="middle">${escapeHtml(t.label)}</text>`,
    );
  }
  out.push(`<line class="axis" x1="${M.left}" x2="${M.left + PLOT_W}" y1="${M.top + PLOT_H}" y2="${M.top + PLOT_H}"/>`);
  out.push(
    `<text class="axis-label" x="${M.left + PLOT_W / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`,
  );

  for (const s of spec.series) {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const banded = pts.filter((p) => p.low !== null && p.high !== null);
    if (banded.length > 1) {
      const upper = banded.map((p) => `${fmt(x(p.x))},${fmt(y(p.high!))}`);
      const lower = banded.reverse().map((p) => `${fmt(x(p.x))},${fmt(y(p.low!))}`);
      out.push(`<polygon class="band" fill="${s.color}" points="${[...upper, ...lower].join(' ')}"/>`);
    }
    const line = (value: (p: ChartPoint) => number) => pts.map((p) => `${fmt(x(p.x))},${fmt(y(value(p)))}`).join(' ');
    out.push(`<polyline class="p95" stroke="${s.color}" points="${line((p) => p.p95)}"/>`);
    out.push(`<polyline class="mean" stroke="${s.color}" points="${line((p) => p.mean)}"/>`);
    for (const p of pts) {
      out.push(
        `<circle cx="${fmt(x(p.x))}" cy="${fmt(y(p.mean))}" r="3" fill="${s.color}"><title>${escapeHtml(p.tooltip)}</title></circle>`,
      );
    }
  }
  out.push('</svg>');
  return out.join('');
}

interface Tick {
  value: number;
  label: string;
}

/** Ticks at 1, 2 or 5 × 10^k covering [lo, hi], about five of them. */
export function niceTicks(lo: number, hi: number): Tick[] {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) / 2;
    return niceTicks(lo - pad, hi + pad);
  }
  const rough = (hi - lo) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const ticks: Tick[] = [];
  // From the step at or below lo to the first one at or above hi, so the data fits inside.
  for (let v = Math.floor(lo / step) * step; ; v += step) {
    const value = Number(v.toPrecision(12));
    ticks.push({ value, label: compactNumber(value) });
    if (value >= hi - step * 1e-9) return ticks;
  }
}

/** 1500 → 1.5k, 0.0325 → 0.0325; short enough for an axis. */
export function compactNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9)}G`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** Linear map of [d0, d1] onto [r0, r1]; a categorical axis leaves half a step at each end. */
function scale(d0: number, d1: number, r0: number, r1: number, padded: boolean): (v: number) => number {
  const lo = padded ? d0 - 0.5 : d0;
  const hi = padded ? d1 + 0.5 : d1;
  const span = hi - lo || 1;
  return (v) => r0 + ((v - lo) / span) * (r1 - r0);
}

function fmt(v: number): string {
  return String(Math.round(v * 10) / 10);
}
