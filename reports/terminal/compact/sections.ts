/**
 * Fitting sections into a fixed number of lines: each section is a title and items; when the whole
 * is too long, items are dropped from the least important section first (a section never goes
 * below its minimum), and the title says how many were left out.
 */
export interface Section {
  title: string;
  items: string[];
  /** Items this section keeps in the first round of cuts. */
  keep: number;
  /** Items it keeps whatever happens (e.g. failed expectations); default `keep`. */
  floor?: number;
  /** Lower is trimmed first. */
  importance: number;
  /** How to pick items to drop: from the end (default) or a custom chooser. */
  trim?: (items: string[], keep: number) => string[];
}

export interface Fitted {
  title: string;
  items: string[];
  hidden: number;
}

function lines(sections: readonly Fitted[]): number {
  return sections.reduce((n, s) => n + (s.items.length > 0 || s.hidden > 0 ? 1 + s.items.length : 0), 0);
}

/** Sections cut to fit `budget` lines, in their original order; empty sections vanish. */
export function fitSections(sections: readonly Section[], budget: number): Fitted[] {
  const fitted = sections.map((s) => ({ title: s.title, items: [...s.items], hidden: 0 }));
  const order = sections.map((s, i) => ({ s, i })).sort((a, b) => a.s.importance - b.s.importance);
  // First every section down to its `keep`, least important first; then, if still too long, to its floor.
  for (const round of ['keep', 'floor'] as const) {
    for (const { s, i } of order) {
      const f = fitted[i]!;
      const over = lines(fitted) - budget;
      if (over <= 0) break;
      const least = round === 'keep' ? s.keep : (s.floor ?? s.keep);
      const target = Math.max(least, f.items.length - over);
      if (target >= f.items.length) continue;
      const before = f.items.length;
      f.items = s.trim ? s.trim(f.items, target) : f.items.slice(0, target);
      f.hidden += before - f.items.length;
      // A section with nothing left goes away, title and all.
      if (f.items.length === 0) f.hidden = 0;
    }
  }
  return fitted.filter((f) => f.items.length > 0);
}
