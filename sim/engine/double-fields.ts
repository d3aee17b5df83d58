/**
 * V8 gives each field of an object's hidden class (map) a representation from the first values
 * stored there: a small integer (Smi) field, a double field, or a tagged pointer. A field whose
 * first values are small integers (a time of 0, a timer id of −1) and that later holds a fraction
 * or a number beyond ±2^31 (a time of 0.37 s, a timer id `gen × 2^24 + slot` with gen ≥ 128) is
 * generalised on that first store: V8 deprecates the class's map and every map after it in its
 * transition tree ("+N maps" in `node --trace-generalization`), and every optimised function that
 * checked one of those maps deoptimises ("wrong map", `--trace-deopt`) and is compiled again.
 * With a dozen such fields in one record that churn repeats a dozen times during a run.
 *
 * `preferDoubleFields` stores a fraction into the named fields of a throwaway instance, once, when
 * the class is defined (a `static {}` block): the generalisation then happens before any code has
 * run, and every instance gets the double representation from its constructor on. No value of any
 * real instance changes.
 *
 * The throwaway instance is kept for the life of the process: a map transition is held weakly,
 * so once no object has the generalised maps a garbage collection drops them and the next
 * instance would start from small-integer fields again (seen: the same deprecation wave in some
 * runs and not in others).
 */
export function preferDoubleFields(instance: object, fields: readonly string[]): void {
  const record = instance as Record<string, unknown>;
  for (const field of fields) {
    // The names are strings (private fields are not in `keyof`): a renamed field fails at load.
    if (typeof record[field] !== 'number') throw new Error(`preferDoubleFields: no number field '${field}'`);
    record[field] = 0.5;
  }
  shapeHolders.push(instance);
}

const shapeHolders: object[] = [];
