/**
 * How `extends` combines a base scenario with the file that extends it: mappings merge key by key
 * (recursively); lists, scalars and null replace the base's value whole. Replacing lists keeps a
 * variant predictable: `backends: [...]` in a variant is exactly the variant's backends.
 */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Own-property assignment that a key named `__proto__` cannot turn into a prototype change. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A mapping for user keys: no prototype, so no key a scenario or `--set` writes (`__proto__`,
 * `constructor`) can reach Object.prototype, and no inherited name reads as a setting.
 */
export function userMapping(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/** A deep copy of parsed data with every mapping prototype-free (userMapping). */
export function cloneUserData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneUserData);
  if (!isPlainObject(value)) return value;
  const out = userMapping();
  for (const [key, item] of Object.entries(value)) setOwn(out, key, cloneUserData(item));
  return out;
}

/** A new value: `override` merged over `base`. Neither input is modified. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out = userMapping();
  for (const [key, value] of Object.entries(base)) setOwn(out, key, value);
  for (const [key, value] of Object.entries(override)) {
    setOwn(out, key, Object.hasOwn(base, key) ? deepMerge(base[key], value) : value);
  }
  return out;
}
