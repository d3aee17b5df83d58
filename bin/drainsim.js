#!/usr/bin/env node
// The installed command: the CLI itself lives in sim/cli/main.ts (compiled to dist/).
import { limitHeapGrowth } from '../dist/sim/util/heap-growth.js';

// Before anything else is loaded: a long run's heap otherwise grows with simulated time.
limitHeapGrowth();
const { main } = await import('../dist/sim/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
