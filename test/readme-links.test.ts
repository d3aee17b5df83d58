/**
 * Issue 16: the README linked a reference file that is not in the repository. Every relative link
 * must name a file of the repository and every anchor a heading of its target (GitHub's slugs);
 * a path to a Markdown file written as code must exist too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (m === null) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function withoutCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '');
}

describe('README links', () => {
  const file = join(ROOT, 'README.md');
  const text = readFileSync(file, 'utf8');
  const links = [...withoutCode(text).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((l) => !/^[a-z]+:/i.test(l));

  it('has links to check', () => expect(links.length).toBeGreaterThan(5));

  it.each(links)('%s resolves', (link) => {
    const [path, anchor] = link.split('#') as [string, string | undefined];
    const target = path === '' ? file : join(dirname(file), decodeURIComponent(path));
    expect(existsSync(target), `${path} is not in the repository`).toBe(true);
    if (anchor !== undefined && anchor !== '') expect([...anchorsOf(readFileSync(target, 'utf8'))]).toContain(anchor);
  });

  it('names no Markdown file (as code) that the repository lacks', () => {
    const paths = [...text.matchAll(/`([\w./-]+\.md)`/g)].map((m) => m[1]!);
    for (const p of paths) expect(existsSync(join(ROOT, p)), `${p} is not in the repository`).toBe(true);
  });
});
