#!/usr/bin/env node
// Regenerates test/golden/<scenario>.summary.json for every built-in scenario and removes goldens
// whose scenario is gone. Run through `npm run goldens`, which compiles dist/ first; review the
// diff before committing: every changed number is a change in what the model computes.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../dist/reports/index.js';
import { goldenDir, goldenHashesPath, goldenOutputs, goldenPath } from '../dist/sim/cli/golden-summary.js';
import { builtinScenarioNames } from '../dist/sim/scenario/load.js';

const names = builtinScenarioNames();
for (const name of names) {
  const { summary, hashes } = goldenOutputs(name);
  writeFileAtomic(goldenPath(name), summary);
  writeFileAtomic(goldenHashesPath(name), hashes);
  console.log(`wrote ${join('test', 'golden', `${name}.summary.json`)} and ${name}.hashes.json`);
}
for (const file of readdirSync(goldenDir())) {
  const name = file.replace(/\.(summary|hashes)\.json$/, '');
  if (/\.(summary|hashes)\.json$/.test(file) && !names.includes(name)) {
    rmSync(join(goldenDir(), file));
    console.log(`removed ${join('test', 'golden', file)} (no scenario ${name})`);
  }
}
