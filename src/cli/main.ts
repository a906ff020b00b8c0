#!/usr/bin/env node
// The `shousi` binary: the CLI (program.ts) on this process's arguments and streams.

import { main } from './program.js';

// `shousi demo all | head` closes the pipe early: stop quietly instead of an EPIPE stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

process.exitCode = await main(process.argv.slice(2));
