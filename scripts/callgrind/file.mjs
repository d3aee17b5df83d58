// Runs one scenario FILE in a build, simulation only, in this process (the same file in every build:
// e.g. the bench's drain 10k, which builds before bench-scenarios.ts existed cannot generate).
// argv: <build dir> <scenario file>. Finds the CLI loader where that build keeps it.
import { existsSync } from 'node:fs';

const [dir, file] = process.argv.slice(2);
const loader = [`${dir}/dist/sim/scenario/load-for-run.js`, `${dir}/dist/sim/cli/load-scenario.js`].find(existsSync);
const { loadScenarioForCli, namedScenario } = await import(loader);
const { runScenario } = await import(`${dir}/dist/sim/run-scenario.js`);
const r = runScenario(namedScenario(loadScenarioForCli(file)));
console.log(JSON.stringify({ name: file, events: r.engineEvents }));
