// `npm run golden -- [--dir <path>] [--dtype float64|float32] [--op <name>...] [--verbose]`
// Runs every case of every fixture in --dir (default: the repo's golden/) in float64 and float32,
// prints each failing run, a per-fixture summary and, last, exactly one line `N passed, N failed`
// (N counts (case, dtype) runs; see runner.ts). Exits 1 when any run failed, 2 on bad usage.

import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_DIR, formatResult, formatSummary, type RunDType, runGolden } from './runner.js';

function parseDtype(v: string): RunDType {
  if (v !== 'float64' && v !== 'float32') throw new InvalidArgumentError('expected float64 or float32');
  return v;
}

const program = new Command('golden')
  .description('Run the golden fixtures (PyTorch 1.13 / scikit-learn 1.2.1 references) against shousi.')
  .option(
    '--dir <path>',
    'fixture folder (data paths resolve against its parent, else the repo)',
    DEFAULT_DIR,
  )
  .option('--dtype <dtype>', 'run only float64 or only float32', parseDtype)
  .option('--op <name...>', 'only these ops (fixture `op` names)')
  .option('--verbose', 'also list passing runs with their time', false)
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
  .parse();

const opts = program.opts<{ dir: string; dtype?: RunDType; op?: string[]; verbose: boolean }>();
// npm runs scripts from the package root; resolve a relative --dir against where the user typed it.
const dir = path.resolve(process.env.INIT_CWD ?? process.cwd(), opts.dir);

try {
  const report = await runGolden({
    dir,
    ...(opts.dtype ? { dtype: opts.dtype } : {}),
    ...(opts.op ? { ops: opts.op } : {}),
    onResult: (r) => {
      if (r.status === 'failed') for (const line of formatResult(r)) console.log(line);
      else if (opts.verbose)
        console.log(
          `${r.status === 'passed' ? 'ok  ' : 'f64 '} ${r.file} > ${r.case} [${r.dtype}] ${r.ms.toFixed(1)} ms`,
        );
    },
  });
  console.log(`\ngolden fixtures in ${dir}:`);
  for (const line of formatSummary(report)) console.log(line);
  process.exitCode = report.failed > 0 ? 1 : 0;
} catch (e) {
  console.error(`golden: ${(e as Error).message}`);
  process.exitCode = 2;
}
