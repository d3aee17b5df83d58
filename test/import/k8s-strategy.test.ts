/**
 * A Deployment's rolling-update strategy as the API server validates it (imp31): maxSurge and
 * maxUnavailable both written and both 0 (an integer 0 or "0%", as written) is refused —
 * ValidateRollingUpdateDeployment, pkg/apis/apps/validation/validation.go: field.Invalid on
 * spec.strategy.rollingUpdate.maxUnavailable, "may not be 0 when `maxSurge` is 0". Before session
 * 31 the importer wrote the rollout; `drainsim validate` then refused it at the scenario's
 * timeline, away from the manifest line.
 *
 * The API server's verdict (no cluster here; kubectl apply against one, as users record it):
 *   The Deployment "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0:
 *   may not be 0 when `maxSurge` is 0
 * The check reads the written values, not the scaled ones: maxSurge 0 with maxUnavailable 10% of
 * 2 replicas (0 pods, rounded down) is valid, and the controller's ResolveFenceposts makes it 1.
 */
import { describe, expect, it } from 'vitest';
import { importAndValidate, writeTemp } from './import-helpers.js';
import { readDeployment, rollingManifest } from './k8s-strategy-manifest.js';

const manifest = (surge: string, unavailable: string) => rollingManifest(2, surge, unavailable);
const read = readDeployment;

describe('Deployment strategy', () => {
  it('maxSurge 0 with maxUnavailable 0 is refused at its line: file, line, path, expected, found', () => {
    expect(read(manifest('0', '0')).errors).toEqual([
      'd.yaml:11: spec.strategy.rollingUpdate.maxUnavailable: expected an integer or percentage above 0 when maxSurge is 0, found 0 with maxSurge 0 — the Kubernetes API server refuses it: "Invalid value: 0: may not be 0 when `maxSurge` is 0"',
    ]);
    const run = importAndValidate([writeTemp('deploy.yaml', manifest('0%', '0'))]);
    expect(run.importCode).toBe(2);
    expect(run.warnings).toContain(
      'deploy.yaml:11: spec.strategy.rollingUpdate.maxUnavailable: expected an integer or percentage above 0 when maxSurge is 0, found 0 with maxSurge "0%"',
    );
  });

  it('a percentage with leading zeros is 0 too ("00%"): refused', () => {
    // getPercentValue (validation.go): IsValidPercent's [0-9]+% holds, then strconv.Atoi("00") = 0.
    expect(read(manifest('"00%"', '0')).errors).toHaveLength(1);
    expect(read(manifest('0', '"000%"')).errors).toHaveLength(1);
  });

  it('the written values count, not the scaled ones; one of them unset is defaulted to 25%', () => {
    expect(read(manifest('0', '"10%"')).errors).toEqual([]);
    expect(read(manifest('1', '0')).errors).toEqual([]);
    expect(read(manifest('0', '0').replace('      maxUnavailable: 0\n', '')).errors).toEqual([]);
  });
});
