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

/**
 * A value one file implies only when no other file states it: a Deployment's pods reached through
 * kube-proxy's NAT (lb.mode nat) unless a haproxy.cfg is the balancer, HAProxy's servers as the
 * backends unless a manifest names the pods. `what` says where it comes from, for the warning.
 */
interface Fallback extends ImportedValue {
  what: string;
  /** Said after the value it yields to, e.g. what becomes of the part the file described. */
  yielded?: string;
  /** Values that go in with it (from its line) and only with it, e.g. the NAT's own idle timeout. */
  along?: readonly Companion[];
}

/** A value that goes in only with the fallback that carries it. */
export interface Companion {
  path: string[];
  value: unknown;
}

export class Imported {
  readonly values: ImportedValue[] = [];
  readonly warnings: string[] = [];
  /** What the real program itself would refuse to load (a fatal configuration error): `drainsim import` exits 2. */
  readonly errors: string[] = [];
  /** Each file's last value for a path, to warn when two files disagree (kept: the last file's). */
  private readonly perFile = new Map<string, ImportedValue[]>();
  private fallbacks: Fallback[] = [];

  set(path: string[], value: unknown, source: string): void {
    this.unset(path);
    this.values.push({ path, value, source });
    const key = path.join('.');
    const others = (this.perFile.get(key) ?? []).filter((v) => fileOf(v.source) !== fileOf(source));
    this.perFile.set(key, [...others, { path, value, source }]);
  }

  /** A later line of the configuration takes back what an earlier one set (the scenario's default then applies). */
  unset(path: string[]): void {
    const at = this.values.findIndex((v) => v.path.join('.') === path.join('.'));
    if (at >= 0) this.values.splice(at, 1);
  }

  /** A value used only if no file states one for `path` (see Fallback); settle() decides. */
  assume(
    path: string[],
    value: unknown,
    source: string,
    what: string,
    yielded?: string,
    along?: readonly Companion[],
  ): void {
    this.fallbacks = this.fallbacks.filter(
      (f) => f.path.join('.') !== path.join('.') || fileOf(f.source) !== fileOf(source),
    );
    this.fallbacks.push({
      path,
      value,
      source,
      what,
      ...(yielded === undefined ? {} : { yielded }),
      ...(along === undefined ? {} : { along }),
    });
  }

  /**
   * Once every file is read: an assumed value goes in where no file stated one, else it is a
   * warning naming both lines; two files stating different values for one path are a warning
   * naming both lines (the last file's is kept). render() settles first; settling twice is a no-op.
   */
  settle(): void {
    for (const f of this.fallbacks) {
      const stated = this.values.find((v) => v.path.join('.') === f.path.join('.'));
      // Of two files' assumed values for one path, the last file's is the candidate (as for stated ones).
      const later = [...this.fallbacks].reverse().find((g) => g.path.join('.') === f.path.join('.'));
      if (stated === undefined && later !== f) {
        if (!same(later!.value, f.value))
          this.warn(
            f.source,
            `${f.what} not imported: ${later!.source} gives ${f.path.join('.')} ${brief(later!.value)} (the last file given wins)`,
          );
      } else if (stated === undefined) {
        this.values.push({ path: f.path, value: f.value, source: f.source });
        for (const a of f.along ?? [])
          if (!this.values.some((v) => v.path.join('.') === a.path.join('.')))
            this.values.push({ path: a.path, value: a.value, source: f.source });
      } else if (!same(stated.value, f.value))
        this.warn(
          f.source,
          `${f.what} not imported: ${stated.source} gives ${f.path.join('.')} ${brief(stated.value)}${f.yielded ? `; ${f.yielded}` : ''}`,
        );
    }
    this.fallbacks = [];
    for (const [key, byFile] of this.perFile) {
      const kept = this.values.find((v) => v.path.join('.') === key);
      if (kept === undefined || byFile.length < 2) continue;
      for (const v of byFile)
        if (v !== byFile[byFile.length - 1] && !same(v.value, kept.value))
          this.warn(
            v.source,
            `${key} ${brief(v.value)} not imported: ${kept.source} gives ${brief(kept.value)} (the last file given wins)`,
          );
    }
    this.perFile.clear();
  }

  /** Takes a value back out with a warning naming its line and why: what the scenario refuses. */
  drop(value: ImportedValue, why: string): void {
    const at = this.values.indexOf(value);
    if (at < 0) return;
    this.values.splice(at, 1);
    this.warn(value.source, `${value.path.join('.')} ${brief(value.value)} not imported: ${why}`);
  }

  warn(source: string, text: string): void {
    this.warnings.push(`${source}: ${text}`);
  }

  fail(source: string, text: string): void {
    this.errors.push(`${source}: ${text}`);
  }

  /**
   * A value the real program refuses to load, said as the scenario loader says its own errors
   * (sim/scenario/errors.ts): where (`file:line`), the path to it in the file (`backend be ›
   * retries`, `spec.strategy.rollingUpdate.maxUnavailable`), what the program expects there, what
   * is written, and the program's own words. `drainsim import` exits 2.
   */
  refuse(source: string, r: { path: string; expected: string; found: string; why: string }): void {
    this.fail(source, `${r.path}: expected ${r.expected}, found ${r.found} — ${r.why}`);
  }

  /** The scenario as YAML: nested keys, each leaf value followed by `# from file:line`. */
  render(header: string): string {
    this.settle();
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

/** `haproxy.cfg:12` → `haproxy.cfg`. */
function fileOf(source: string): string {
  return source.replace(/:\d+$/, '');
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A value in a warning: a scalar as written, a list of backends by their names. */
function brief(v: unknown): string {
  if (Array.isArray(v))
    return `[${v.map((e) => (typeof e === 'object' && e !== null && 'name' in e ? String(e.name) : JSON.stringify(e))).join(', ')}]`;
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}
