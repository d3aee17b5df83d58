/**
 * maxSurge and maxUnavailable each as the API server validates them (imp31b):
 * ValidateRollingUpdateDeployment (kubernetes/kubernetes pkg/apis/apps/validation/validation.go)
 * runs ValidatePositiveIntOrPercent on both — an integer ≥ 0 (ValidateNonnegativeField: "must be
 * greater than or equal to 0"), a string a percentage matching `[0-9]+%` (IsValidPercent,
 * k8s.io/apimachinery/pkg/util/validation) — and IsNotMoreThan100Percent on maxUnavailable ("must
 * not be greater than 100%"). Before session 31 the importer wrote such values into the rollout.
 *
 * The API server's verdict (no cluster here; the validation code above, read from the source):
 *   maxSurge: -1        → spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0
 *   maxSurge: "-10%", maxUnavailable: "10", "1.5%"
 *                        → Invalid value: "…": a valid percent string must be a numeric string followed by an ending '%' …
 *   maxUnavailable: 150% → spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%
 *   maxSurge: 150%, maxUnavailable: 100% → valid (only maxUnavailable is bounded)
 */
import { describe, expect, it } from 'vitest';
import { importAndValidate, writeTemp } from './import-helpers.js';
import { readDeployment, rollingManifest } from './k8s-strategy-manifest.js';

const manifest = (surge: string, unavailable: string) => rollingManifest(4, surge, unavailable);
const read = readDeployment;

describe('Deployment strategy values', () => {
  it('a negative integer is refused at its line: file, line, path, expected, found', () => {
    expect(read(manifest('-1', '1')).errors).toEqual([
      'd.yaml:10: spec.strategy.rollingUpdate.maxSurge: expected an integer ≥ 0 or a percentage, found -1 — the Kubernetes API server refuses it: "Invalid value: -1: must be greater than or equal to 0"',
    ]);
    expect(read(manifest('1', '-2')).errors[0]).toContain('d.yaml:11: spec.strategy.rollingUpdate.maxUnavailable:');
  });

  it('a string that is not digits then % is refused (a negative percentage, bare digits, a decimal)', () => {
    for (const [surge, unavailable, line, key, found] of [
      ['"-10%"', '1', 10, 'maxSurge', '"-10%"'],
      ['1', '"10"', 11, 'maxUnavailable', '"10"'],
      ['1.5%', '1', 10, 'maxSurge', '"1.5%"'],
    ] as const) {
      const errors = read(manifest(surge, unavailable)).errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(
        `d.yaml:${line}: spec.strategy.rollingUpdate.${key}: expected a percentage, digits then '%', found ${found} — the Kubernetes API server refuses it: "Invalid value: ${found}: a valid percent string must be a numeric string followed by an ending '%'`,
      );
    }
  });

  it('a number that is not an integer is refused (IntOrString holds an int32 or a string)', () => {
    // intstr.IntOrString UnmarshalJSON: an unquoted value is decoded into IntVal, an int32, so 1.5
    // never reaches validation ("cannot unmarshal number 1.5 into Go value of type int32").
    const errors = read(manifest('1.5', '1')).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('d.yaml:10: spec.strategy.rollingUpdate.maxSurge: expected an integer or a percentage');
  });

  it('maxUnavailable over 100% is refused, maxSurge over 100% is not; drainsim import exits 2', () => {
    expect(read(manifest('1', '150%')).errors).toEqual([
      'd.yaml:11: spec.strategy.rollingUpdate.maxUnavailable: expected at most 100%, found "150%" — the Kubernetes API server refuses it: "Invalid value: "150%": must not be greater than 100%"',
    ]);
    expect(read(manifest('150%', '100%')).errors).toEqual([]);
    const run = importAndValidate([writeTemp('deploy.yaml', manifest('1', '150%'))]);
    expect(run.importCode).toBe(2);
    expect(run.warnings).toContain('deploy.yaml:11: spec.strategy.rollingUpdate.maxUnavailable: expected at most 100%');
  });
});
