/**
 * A resolved scenario as plain data for printing (YAML, JSON): a value that carries its own
 * source text — a distribution's `spec`, e.g. `exp(mean=2s)` — prints as that text; maps become
 * mappings, sets lists; functions and undefined are left out.
 */
export function toPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    return typeof value === 'function' ? undefined : value;
  }
  if (Array.isArray(value)) return value.map((item) => toPlain(item) ?? null);
  const spec = (value as { spec?: unknown }).spec;
  if (typeof spec === 'string') return spec;
  if (value instanceof Map) return plainObject(value.entries());
  if (value instanceof Set) return [...value].map(toPlain);
  return plainObject(Object.entries(value));
}

function plainObject(entries: Iterable<[unknown, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const plain = toPlain(item);
    if (plain !== undefined)
      Object.defineProperty(out, String(key), { value: plain, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
