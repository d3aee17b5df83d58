/**
 * Scenario variables: `vars: {drain_timeout: 4m}` at the top level, used as `${drain_timeout}`
 * in any value of the file (or of a file it extends, or a `--set`). A value that is exactly one
 * reference takes the variable's value with its type (`weight: ${w}` stays a number); a reference
 * inside longer text is replaced by the value's text. Substituted after `extends` and `--set`,
 * before validation, so `--set vars.drain_timeout=5m` and `sweep --vary vars.drain_timeout=…`
 * change every use at once. `vars` itself is removed before validation.
 */
import { ScenarioError, type ScenarioIssue } from './errors.js';
import { type AppliedOverride, locate } from './locate.js';
import { isPlainObject, setOwn } from './merge.js';
import { nearest } from './nearest.js';
import { formatPath, type PathSegment } from './path.js';
import type { YamlSource } from './yaml-source.js';

export const VARS_KEY = 'vars';
/** A reference: `${name}`; anything else between `${` and `}` is reported as malformed. */
const REFERENCE = /\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type VarValue = string | number | boolean;

/** The names the files declare (before `--set`), so a `--set vars.typo=…` can be refused. */
export function declaredVarNames(raw: Record<string, unknown>): string[] {
  const vars = raw[VARS_KEY];
  return isPlainObject(vars) ? Object.keys(vars) : [];
}

/**
 * Replaces every reference in `raw` (in place), removes `vars`, and returns the variables.
 * Throws one ScenarioError listing every unknown, undefined or malformed reference with its file
 * and line, and the nearest declared name.
 */
export function substituteVars(
  raw: Record<string, unknown>,
  declared: readonly string[],
  sources: readonly YamlSource[],
  applied: readonly AppliedOverride[],
): Record<string, VarValue> {
  const issues: ScenarioIssue[] = [];
  const where = (path: PathSegment[]) => locate(sources, applied, path, 'value');
  const vars: Record<string, VarValue> = Object.create(null) as Record<string, VarValue>;
  const given = raw[VARS_KEY];
  delete raw[VARS_KEY];
  if (given !== undefined && given !== null && !isPlainObject(given)) {
    issues.push({
      ...where([VARS_KEY]),
      path: VARS_KEY,
      message: 'expected a mapping of variable names to values, e.g. vars: {drain_timeout: 4m}',
    });
  } else if (isPlainObject(given)) {
    for (const [name, value] of Object.entries(given)) {
      const path = [VARS_KEY, name];
      if (!NAME.test(name)) {
        issues.push({
          ...where(path),
          path: formatPath(path),
          message: `variable name '${name}' must be letters, digits and _ (not starting with a digit)`,
        });
      } else if (!declared.includes(name)) {
        const near = nearest(name, declared);
        issues.push({
          ...where(path),
          path: formatPath(path),
          message: `unknown variable '${name}': the scenario declares ${declared.length === 0 ? 'no vars' : declared.join(', ')}`,
          suggestion: near === undefined ? undefined : `vars.${near}`,
        });
      } else if (typeof value === 'string' && value.includes('${')) {
        issues.push({ ...where(path), path: formatPath(path), message: 'a variable cannot refer to another variable' });
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        vars[name] = value;
      } else {
        issues.push({
          ...where(path),
          path: formatPath(path),
          message: 'a variable holds one value (a duration, number, word or true/false)',
          found: JSON.stringify(value),
        });
      }
    }
  }
  const names = Object.keys(vars);

  const visit = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === 'string') return node.includes('${') ? replace(node, path) : node;
    if (Array.isArray(node)) {
      node.forEach((item, i) => (node[i] = visit(item, [...path, i])));
      return node;
    }
    if (isPlainObject(node)) {
      for (const [key, value] of Object.entries(node)) setOwn(node, key, visit(value, [...path, key]));
    }
    return node;
  };

  const replace = (text: string, path: PathSegment[]): unknown => {
    let whole: VarValue | undefined;
    const out = text.replace(REFERENCE, (match, name: string) => {
      const trimmed = name.trim();
      if (!NAME.test(trimmed)) {
        issues.push({
          ...where(path),
          path: formatPath(path),
          message: `malformed variable reference '${match}': expected \${name} with a name of letters, digits and _`,
        });
        return match;
      }
      if (!Object.hasOwn(vars, trimmed)) {
        const near = nearest(trimmed, names);
        const declaredText =
          names.length === 0
            ? `the scenario declares no vars (add vars: {${trimmed}: …})`
            : `declared: ${names.join(', ')}`;
        issues.push({
          ...where(path),
          path: formatPath(path),
          message: `undefined variable '\${${trimmed}}'; ${declaredText}`,
          suggestion: near === undefined ? undefined : `\${${near}}`,
        });
        return match;
      }
      if (match === text) whole = vars[trimmed];
      return String(vars[trimmed]);
    });
    return whole !== undefined ? whole : out;
  };

  for (const [key, value] of Object.entries(raw)) setOwn(raw, key, visit(value, [key]));
  if (issues.length > 0) throw new ScenarioError(issues);
  return vars;
}
