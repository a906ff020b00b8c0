// The shousi command line: `shousi demo <name|all>`, `shousi info`. Parsing by commander;
// every bad input ends as one error line plus the usage on stderr and exit code 2, every
// library error thrown during a demo as one line and exit code 1 — never a stack trace
// (unless SHOUSI_DEBUG is set). `main` takes the arguments and the output streams, so tests
// can run it in-process; main.ts is the binary's entry.

import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { backend, getNumThreads, ShousiError, threadsSupported } from '../index.js';
import { createIO, type DemoFlag, type DemoOptions, type DemoSummary, type Streams } from './demo.js';
import { fmtSeconds } from './format.js';
import { DEMO_NAMES, DEMOS, type DemoEntry, demoList } from './registry.js';

const EXIT_USAGE = 2;
const EXIT_FAILED = 1;

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const FLAG_NAMES: Record<DemoFlag, string> = {
  epochs: '--epochs',
  lr: '--lr',
  batchSize: '--batch-size',
  raw: '--raw',
};

function intIn(lo: number, hi: number) {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < lo || n > hi) {
      throw new InvalidArgumentError(`Expected an integer in [${lo}, ${hi}].`);
    }
    return n;
  };
}

function positiveNumber(hi: number) {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > hi) {
      throw new InvalidArgumentError(`Expected a number in (0, ${hi}].`);
    }
    return n;
  };
}

function failLine(name: string, err: unknown): string {
  if (err instanceof ShousiError) return `shousi demo ${name}: ${err.name}: ${err.message}`;
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return `shousi demo ${name}: unexpected ${msg} (set SHOUSI_DEBUG=1 for the stack trace)`;
}

async function runOne(entry: DemoEntry, opts: DemoOptions, streams: Streams): Promise<DemoSummary> {
  const run = await entry.load();
  const summary = await run(opts, createIO(entry.name, opts, streams));
  if (!opts.json)
    streams.stdout.write(`${entry.name}: ${summary.summary} (${fmtSeconds(summary.seconds)})\n`);
  return summary;
}

async function runDemos(name: string, opts: DemoOptions, streams: Streams): Promise<number> {
  const { stdout, stderr } = streams;
  const entries = name === 'all' ? DEMOS : DEMOS.filter((d) => d.name === name);
  const started = performance.now();
  const summaries: DemoSummary[] = [];
  let failed = 0;
  for (const entry of entries) {
    if (!opts.json && !opts.quiet && entries.length > 1) stdout.write(`\n== ${entry.name}: ${entry.title}\n`);
    try {
      summaries.push(await runOne(entry, opts, streams));
    } catch (err) {
      failed++;
      stderr.write(`${failLine(entry.name, err)}\n`);
      if (process.env.SHOUSI_DEBUG && err instanceof Error) stderr.write(`${err.stack}\n`);
    }
  }
  const seconds = Math.round(performance.now() - started) / 1000;
  if (opts.json) {
    const doc = name === 'all' ? { demos: summaries, failed, seconds } : summaries[0];
    if (doc) stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else if (entries.length > 1) {
    const plots = summaries.reduce((n, s) => n + s.plots.length, 0);
    stdout.write(
      `\n${summaries.length}/${entries.length} demos in ${fmtSeconds(seconds)}` +
        (opts.plot ? `; ${plots} plot files in ${opts.out}` : '') +
        '\n',
    );
  }
  return failed > 0 ? EXIT_FAILED : 0;
}

/** Help to stdout, and a usage error as commander's one line plus the command's usage to stderr. */
function usageOutput(cmd: Command, streams: Streams) {
  cmd.configureOutput({
    writeOut: (str) => streams.stdout.write(str),
    writeErr: (str) => streams.stderr.write(str),
    outputError: (str, write) => {
      const path = cmd.parent ? `${cmd.parent.name()} ${cmd.name()}` : cmd.name();
      write(`${str.trimEnd()}\nUsage: ${path} ${cmd.usage()}\nRun '${path} --help' for details.\n`);
    },
  });
}

function buildProgram(streams: Streams, setExit: (code: number) => void): Command {
  const program = new Command('shousi')
    .description('Classic ML algorithms torn by hand, in TypeScript: demos of the ten algorithms.')
    .version(pkg.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .addHelpText('after', `\nDemos (shousi demo <name>, or shousi demo all):\n${demoList()}\n`);
  usageOutput(program, streams);

  const demoCmd = program
    .command('demo')
    .description('run a demo of one algorithm, or all of them')
    .addArgument(new Argument('<name>', "demo to run, or 'all'").choices([...DEMO_NAMES, 'all']))
    .option('--seed <n>', 'seed for everything random', intIn(0, 2 ** 32 - 1), 0)
    .option('--out <dir>', 'folder for the plots (SVG + PNG)', './out')
    .option('--epochs <n>', 'training epochs (linreg) or full-batch steps (mlp)', intIn(1, 1_000_000))
    .option('--lr <x>', 'learning rate (linreg, mlp)', positiveNumber(10))
    .option(
      '--batch-size <n>',
      'minibatch size (linreg) or batch of the random table (beam-search)',
      intIn(1, 100_000),
    )
    .option('--raw', "linreg: the seed's unscaled setup, which diverges", false)
    .option('--quiet', 'print only the one-line summary', false)
    .option('--json', 'print only a JSON summary on stdout', false)
    .option('--no-plot', 'do not write plots')
    .addHelpText('after', `\nDemos:\n${demoList()}\n  all${' '.repeat(13)}every demo above, in this order\n`)
    .action(async (name: string, raw: Record<string, unknown>, cmd: Command) => {
      const given = (Object.keys(FLAG_NAMES) as DemoFlag[]).filter(
        (f) => cmd.getOptionValueSource(f) === 'cli',
      );
      if (name !== 'all') {
        const entry = DEMOS.find((d) => d.name === name)!;
        const extra = given.filter((f) => !entry.flags.includes(f));
        if (extra.length > 0) {
          const flags = entry.flags.map((f) => FLAG_NAMES[f]).join(', ') || 'none';
          cmd.error(`error: demo '${name}' does not take ${FLAG_NAMES[extra[0]]} (its options: ${flags})`, {
            exitCode: EXIT_USAGE,
            code: 'shousi.unusedOption',
          });
        }
      }
      const opts: DemoOptions = {
        seed: raw.seed as number,
        out: raw.out as string,
        quiet: raw.quiet as boolean,
        json: raw.json as boolean,
        plot: raw.plot as boolean,
        epochs: raw.epochs as number | undefined,
        lr: raw.lr as number | undefined,
        batchSize: raw.batchSize as number | undefined,
        raw: raw.raw as boolean,
      };
      setExit(await runDemos(name, opts, streams));
    });
  usageOutput(demoCmd, streams);

  const infoCmd = program
    .command('info')
    .description('print the version, the compute backend, its threads and the runtime')
    .addOption(new Option('--json', 'print as JSON').default(false))
    .action((o: { json: boolean }) => {
      const info = {
        version: pkg.version,
        backend: backend(),
        threads: getNumThreads(),
        threadsSupported: threadsSupported(),
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        demos: [...DEMO_NAMES],
      };
      if (o.json) streams.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      else {
        streams.stdout.write(
          `shousi ${info.version}\nbackend   ${info.backend}\nthreads   ${info.threads}` +
            `${info.threadsSupported ? '' : ' (no worker threads here)'}\n` +
            `node      ${info.node}\nplatform  ${info.platform}\n` +
            `demos     ${info.demos.join(', ')}\n`,
        );
      }
    });
  usageOutput(infoCmd, streams);
  return program;
}

/** Runs the CLI on `argv` (without node and the script); resolves to the exit code. */
export async function main(
  argv: readonly string[],
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let code = 0;
  const program = buildProgram(streams, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and --version end here with exit code 0; usage errors were already printed.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    streams.stderr.write(`shousi: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILED;
  }
  return code;
}
