#!/usr/bin/env node
// The installed command: the CLI itself lives in sim/cli/main.ts (compiled to dist/, and bundled
// into dist/drainsim.cjs with V8's code cache of it: bin/bundle.js).
import module from 'node:module';
import { limitHeapGrowth } from '../dist/sim/util/heap-growth.js';
import { loadBundle } from './bundle.js';

// Node >= 22.1 keeps V8's compiled code of every module on disk and reuses it on the next start
// (node:module enableCompileCache; NODE_COMPILE_CACHE=dir moves it, NODE_DISABLE_COMPILE_CACHE=1
// turns it off), as TypeScript's own tsc does. Node 20 has no such API: nothing happens there.
module.enableCompileCache?.();

// Before anything else is loaded: a long run's heap otherwise grows with simulated time. (Also
// before the bundle is compiled: V8 accepts a code cache only under the flags it was made with,
// and scripts/build-bundle.mjs makes it after the same call.)
limitHeapGrowth();
const argv = process.argv.slice(2);
// A command line that runs a command loads the bundle; `--version`, `--help` and no command, which
// load next to nothing of it, start faster from the modules (the bundle's cache is read whole).
const runsCommand = argv.length > 0 && !argv[0].startsWith('-');
const { main } = (runsCommand ? loadBundle() : undefined) ?? (await import('../dist/sim/cli/main.js'));
process.exitCode = await main(argv);
// The command is done and its files are written: exit now rather than through Node's ordinary
// teardown (environment clean-up, V8 isolate disposal), which costs the smallest built-in's run
// 20-35 ms of CPU (issue 14 start-up; README Benchmarks, session 11). Only when stdout and stderr
// hold nothing unwritten: files and terminals are written synchronously, but a pipe on POSIX is
// asynchronous (Node's process I/O docs), so output a slow reader has not taken yet leaves the
// ordinary exit, which waits for the write.
if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
