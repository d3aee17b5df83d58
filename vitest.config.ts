import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Whole-scenario runs (hc-cascade-safe: ~30 s CPU alone) share two cores with the other test
    // workers; 3 minutes still stops a hang but not a loaded machine (60 s timed out at load 12).
    testTimeout: 180_000,
    hookTimeout: 180_000,
    server: {
      deps: {
        // It imports its JSON schema without an import attribute, which Node 20 refuses; Vite's
        // transform of the package accepts it.
        inline: ['@actions/workflow-parser'],
      },
    },
  },
});
