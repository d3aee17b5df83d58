/** Shared by the haproxy.cfg import tests: a config text imported as `h.cfg`, and a value it imported. */
import { importHaproxy } from '../../sim/import/haproxy-cfg.js';
import { Imported } from '../../sim/import/imported.js';

/** haproxy.cfg `text` imported as `h.cfg` (the name its values cite) into a fresh Imported. */
export function importCfg(text: string): Imported {
  const into = new Imported();
  importHaproxy(text, 'h.cfg', into);
  return into;
}

/** `backend be` with `lines` (indented, from h.cfg:2 on), then two checked servers a and b, imported. */
export const importBackend = (lines: string[]): Imported =>
  importCfg(
    [
      'backend be',
      ...lines.map((l) => `  ${l}`),
      '  server a 10.0.0.1:80 check',
      '  server b 10.0.0.2:80 check',
      '',
    ].join('\n'),
  );

/** The value imported at `path` (its keys joined by dots), or undefined. */
export const valueAt = (into: Imported, path: string): unknown =>
  into.values.find((v) => v.path.join('.') === path)?.value;

/** The warnings but the one of a pool without `timeout connect` (imported as lb.connect_timeout infinite). */
export const besidesConnect = (warnings: string[]): string[] =>
  warnings.filter((w) => !w.includes('no `timeout connect`'));
