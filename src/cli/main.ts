#!/usr/bin/env node
// The `shousi` binary: the CLI (program.ts) on this process's arguments and streams.

import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2));
