import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    server: {
      deps: {
        // It imports its JSON schema without an import attribute, which Node 20 refuses; Vite's
        // transform of the package accepts it.
        inline: ['@actions/workflow-parser'],
      },
    },
  },
});
