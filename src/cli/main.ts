#!/usr/bin/env node
// shousi CLI entry (filled in by the CLI issue).
console.log('shousi: demos coming; run `shousi --help`');
