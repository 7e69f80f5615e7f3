#!/usr/bin/env node
// The nonred command's entry point (`npm start` runs `nonred serve` through it). It sizes
// libuv's thread pool, then loads the command (main.ts).
//
// The pool runs the service's signature checks (WebCrypto hands each to it) beside the
// verify workers that decode the lines. libuv's default of four threads puts six busy
// threads on a two-core machine; one per core (at least two) was ahead in six of seven
// interleaved pairs of intake benchmark runs, by up to 13% (see README, Performance). libuv reads
// UV_THREADPOOL_SIZE once, when the pool starts, and the ES module loader starts it before
// any module's code runs: so this one file is CommonJS, which Node loads without it. A
// value set in the environment is kept.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose (above)
import os = require('node:os');

if (process.env.UV_THREADPOOL_SIZE === undefined) process.env.UV_THREADPOOL_SIZE = String(Math.max(2, os.availableParallelism()));
void import('./main.js');
