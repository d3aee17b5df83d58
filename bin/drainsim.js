#!/usr/bin/env node
// The installed command: the CLI itself lives in sim/cli/main.ts (compiled to dist/).
import module from 'node:module';
import { limitHeapGrowth } from '../dist/sim/util/heap-growth.js';

// Node >= 22.1 keeps V8's compiled code of every module on disk and reuses it on the next start
// (node:module enableCompileCache; NODE_COMPILE_CACHE=dir moves it, NODE_DISABLE_COMPILE_CACHE=1
// turns it off), as TypeScript's own tsc does. Node 20 has no such API: nothing happens there.
module.enableCompileCache?.();

// Before anything else is loaded: a long run's heap otherwise grows with simulated time.
limitHeapGrowth();
const { main } = await import('../dist/sim/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
