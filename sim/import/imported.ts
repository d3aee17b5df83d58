/**
 * What `drainsim import` gathers from real configuration files: scenario values, each with the
 * file and line it came from, and warnings for what the scenario cannot express (never dropped
 * silently). render() writes them as scenario YAML, every value commented with its source.
 */
import { stringify } from 'yaml';

export interface ImportedValue {
  /** Scenario path, e.g. ['nginx', 'keepalive_timeout'] or ['backends']. */
  path: string[];
  value: unknown;
  /** `file:line`. */
  source: string;
}

export class Imported {
  readonly values: ImportedValue[] = [];
  readonly warnings: string[] = [];
  /** What the real program itself would refuse to load (a fatal configuration error): `drainsim import` exits 2. */
  readonly errors: string[] = [];

  set(path: string[], value: unknown, source: string): void {
    this.unset(path);
    this.values.push({ path, value, source });
  }

  /** A later line of the configuration takes back what an earlier one set (the scenario's default then applies). */
  unset(path: string[]): void {
    const at = this.values.findIndex((v) => v.path.join('.') === path.join('.'));
    if (at >= 0) this.values.splice(at, 1);
  }

  warn(source: string, text: string): void {
    this.warnings.push(`${source}: ${text}`);
  }

  fail(source: string, text: string): void {
    this.errors.push(`${source}: ${text}`);
  }

  /** The scenario as YAML: nested keys, each leaf value followed by `# from file:line`. */
  render(header: string): string {
    const out: string[] = header.split('\n').map((l) => `# ${l}`.trimEnd());
    if (this.warnings.length > 0) {
      out.push('#', '# Not imported (no counterpart in the scenario):');
      for (const w of this.warnings) out.push(`#   ${w}`);
    }
    const sorted = [...this.values].sort((a, b) => order(a.path) - order(b.path));
    const written: string[][] = [];
    for (const v of sorted) {
      // Open the parent keys not yet written.
      for (let d = 0; d < v.path.length - 1; d++) {
        const prefix = v.path.slice(0, d + 1).join('.');
        if (!written.some((w) => w.join('.') === prefix)) {
          out.push(`${'  '.repeat(d)}${v.path[d]}:`);
          written.push(v.path.slice(0, d + 1));
        }
      }
      const indent = '  '.repeat(v.path.length - 1);
      const key = v.path[v.path.length - 1]!;
      if (typeof v.value === 'object' && v.value !== null) {
        out.push(`${indent}${key}: # from ${v.source}`);
        for (const line of stringify(v.value).trimEnd().split('\n')) out.push(`${indent}  ${line}`);
      } else {
        out.push(`${indent}${key}: ${scalar(v.value)} # from ${v.source}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}

const TOP_ORDER = ['description', 'lb', 'health_check', 'nginx', 'app', 'probes', 'clients', 'backends', 'timeline'];

function order(path: string[]): number {
  const i = TOP_ORDER.indexOf(path[0]!);
  return i < 0 ? TOP_ORDER.length : i;
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return /^[\w.%/-]+$/.test(v) ? v : JSON.stringify(v);
  return String(v);
}
