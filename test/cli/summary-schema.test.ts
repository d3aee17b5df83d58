import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { publishedSummarySchema } from '../../sim/cli/summary-schema.js';

const schema = publishedSummarySchema();
const validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
const figureSchemas = Object.entries(
  (schema.properties as { figures: { patternProperties: Record<string, { unit?: string; description?: string }> } })
    .figures.patternProperties,
).map(([pattern, s]) => ({ re: new RegExp(pattern), ...s }));

const goldens = readdirSync('test/golden')
  .filter((f) => f.endsWith('.summary.json'))
  .map((f) => ({ name: f, summary: JSON.parse(readFileSync(join('test/golden', f), 'utf8')) }));

describe('schema/summary.schema.json: summary.json with every figure’s unit', () => {
  it('has an https $id next to the scenario schema’s', () => {
    expect(schema.$id).toMatch(/^https:\/\/unpkg\.com\/drainsim@[^/]+\/schema\/summary\.schema\.json$/);
  });

  it.each(goldens)('$name validates, and each of its figures has a unit', ({ summary }) => {
    const result = validator.safeParse(summary);
    expect(result.success, JSON.stringify(result.error?.issues.slice(0, 3))).toBe(true);
    for (const name of Object.keys(summary.figures)) {
      const matching = figureSchemas.filter((f) => f.re.test(name));
      expect(matching.length, `${name}: patterns`).toBe(1);
      expect(matching[0]!.unit, `${name}: unit`).toMatch(/\S/);
      expect(matching[0]!.description).toContain(`Unit: ${matching[0]!.unit}.`);
    }
  });

  it('names the units a reader needs: seconds, rates, counts of what', () => {
    const unitOf = (name: string) => figureSchemas.find((f) => f.re.test(name))?.unit;
    expect(unitOf('request_latency.p99')).toBe('s');
    expect(unitOf('reset_out.peak_per_s')).toBe('RST/s');
    expect(unitOf('vm-a.active_conn.max')).toBe('conn');
    expect(unitOf('drain.vm-a.completed_within')).toBe('s');
    expect(unitOf('ws_close_1006.total')).toBe('session');
    expect(unitOf('connect_latency.count')).toBe('samples');
  });

  it('refuses a figure it has no unit for, and a wrong type', () => {
    const base = goldens[0]!.summary;
    expect(validator.safeParse({ ...base, figures: { ...base.figures, 'erors.total': 1 } }).success).toBe(false);
    expect(validator.safeParse({ ...base, figures: { ...base.figures, 'errors.total': '1' } }).success).toBe(false);
    expect(validator.safeParse({ ...base, seed: undefined }).success).toBe(false);
  });
});
