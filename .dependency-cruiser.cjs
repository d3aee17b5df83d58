/**
 * Import rules of drainsim (README "Architecture"). Checked by test/architecture/imports.test.ts
 * and by `npx depcruise sim reports bench --config .dependency-cruiser.cjs`.
 *
 * The direction is engine ← net ← model/core ← clients | lb | proxy | app ← vm ← control ←
 * model/topology.ts; result readers (reports, expect, explain, plan, sweep) see RunResult and the
 * scenario types, never the model; nothing imports the command line.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere: each module can be understood and tested before the ones that use it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'engine-imports-nothing',
      severity: 'error',
      comment: 'The event loop knows no TCP, no balancer, no scenario: it imports only itself.',
      from: { path: '^sim/engine/' },
      to: { pathNot: '^sim/engine/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'net-only-engine',
      severity: 'error',
      comment: 'The kernel model is sans-I/O: it may use engine types (Rng) and nothing else of drainsim.',
      from: { path: '^sim/net/' },
      to: { pathNot: '^sim/(net|engine)/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'model-core-below-tiers',
      severity: 'error',
      comment:
        'model/core (world, entities, hop interfaces) is what the tiers share; it imports no tier. The world registry names the VM and balancer types (type-only imports, no code).',
      from: { path: '^sim/model/core/' },
      to: { path: '^sim/model/(clients|lb|proxy|app|vm|control)/|^sim/model/topology', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'clients-only-through-hop',
      severity: 'error',
      comment: 'Clients model client behaviour only: they reach the balancer, the proxy and the app through model/core/hop.ts.',
      from: { path: '^sim/model/clients/' },
      to: { path: '^sim/model/(lb|proxy|app|vm|control)/|^sim/model/topology' },
    },
    {
      name: 'tiers-not-control',
      severity: 'error',
      comment: 'Balancer, proxy and app are driven by control through verbs; they never import control.',
      from: { path: '^sim/model/(lb|proxy|app)/' },
      to: { path: '^sim/model/(control|clients)/|^sim/model/topology' },
    },
    {
      name: 'tiers-see-the-vm-through-core',
      severity: 'error',
      comment: 'Proxy and app run on a VM and see it through model/core/vm-view.ts; the VM (vm/) builds them, not the other way round.',
      from: { path: '^sim/model/(proxy|app)/' },
      to: { path: '^sim/model/vm/' },
    },
    {
      name: 'vm-not-control',
      severity: 'error',
      comment: 'A VM does not know who drives it.',
      from: { path: '^sim/model/vm/' },
      to: { path: '^sim/model/control/|^sim/model/topology' },
    },
    {
      name: 'control-reaches-clients-through-an-interface',
      severity: 'error',
      comment: 'The timeline changes client load through the small interface in model/core/populations.ts.',
      from: { path: '^sim/model/control/' },
      to: { path: '^sim/model/clients/' },
    },
    {
      name: 'only-topology-builds-the-model',
      severity: 'error',
      comment: 'Outside sim/model only the composition root (model/topology.ts) is imported.',
      from: { pathNot: '^sim/model/' },
      to: { path: '^sim/model/', pathNot: '^sim/model/topology[.]ts$' },
    },
    {
      name: 'result-readers-not-the-simulator',
      severity: 'error',
      comment: 'reports, expect, explain, plan and sweep read RunResult and scenario types, never the model or the kernel (plan may draw from engine random streams).',
      from: { path: '^(reports|sim/(expect|explain|plan|sweep))/' },
      to: { path: '^sim/(model|net)/' },
    },
    {
      name: 'simulator-not-reports',
      severity: 'error',
      comment: 'The simulator (engine, net, model, metrics, scenario, run) produces results; it never imports their presentation.',
      from: { path: '^sim/(engine|net|model|metrics|scenario|util)/|^sim/(run-scenario|result|figures)[.]ts$' },
      to: { path: '^reports/' },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'The command line is the outermost layer: only bin/ and the cli itself import sim/cli.',
      from: { pathNot: '^(sim/cli|bin)/' },
      to: { path: '^sim/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
