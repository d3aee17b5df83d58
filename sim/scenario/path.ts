/**
 * A location inside a scenario's data, as zod reports it: object keys and array indices.
 * Printed the way users write `--set` paths: `backends[2].nginx.keepalive_timeout`.
 */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_][\w-]*$/;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** The value at `path`, or undefined when any step is missing. */
export function valueAtPath(data: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** Whether `path` starts with `prefix`. */
export function isPathPrefix(prefix: readonly PropertyKey[], path: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);
}
