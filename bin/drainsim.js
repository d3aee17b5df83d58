#!/usr/bin/env node
// The installed command: the CLI itself lives in sim/cli/main.ts (compiled to dist/).
import { main } from '../dist/sim/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
