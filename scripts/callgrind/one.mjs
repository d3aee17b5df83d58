// Runs one workload of a build's own bench (`npm run bench`'s workloads.js), simulation only, in this process:
// a built-in scenario by its name (scenario:<name>) or an engine-only workload by its bench name (hold-1e6,
// cancel-heavy). argv: <build dir> <name> <run|load>. 'load' imports and finds the workload but does not run it.
const [dir, name, mode] = process.argv.slice(2);
const { findWorkload } = await import(`${dir}/dist/bench/workloads.js`);
const w = findWorkload(name) ?? findWorkload(`scenario:${name}`);
if (!w) {
  console.error('no workload', name);
  process.exit(2);
}
if (mode === 'run') {
  const r = w.run();
  console.log(JSON.stringify({ name, events: r.events }));
} else console.log(JSON.stringify({ name, events: 0 }));
