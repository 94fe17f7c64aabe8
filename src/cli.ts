// The command-line runner: the same engine as the extension, for terminals, SSH sessions and
// cluster jobs. Exit codes: 0 every row succeeded, 1 a row failed or the run ended early,
// 2 bad arguments or input (nothing written).
import { existsSync } from 'fs';
import * as path from 'path';
import { readLocator } from './core/locator';
import { streamSink, writeChunks } from './core/textSink';
import { describePython } from './core/python/pythonApply';
import type { RowOutput, RunSettings } from './core/run';
import { ERROR_POLICIES, MODES, RESULT_TYPES, failedCount, unfinishedCount, type RunProgress } from './core/types';
import { readFileSync } from 'fs';
import type { SlurmStateSummary } from './core/slurm';
import { slurmCollect, slurmStatus, type FinishedRunLike } from './cliSlurm';
import { executeRun, prepareRun, submitDetached, type PreparedRun } from './session/lifecycle';
import { stopBundler } from './core/applyModule';
import type { SlurmChoice } from './session/slurm';
import { exportChunks, exportFormatOf, journalFileName, writeExport } from './session/outputs';
import { RunRefusal } from './session/refusal';
import { endText, slurmStateText } from './shared/summary';

const USAGE = `Usage: locator-batch run LOCATOR --apply FILE [options]
       locator-batch status RUN_FOLDER
       locator-batch collect RUN_FOLDER [--out FILE] [--column NAME] [--quiet]

Runs the apply function of FILE on every row of the locator CSV LOCATOR. status and collect are
for Slurm runs (--mode slurm): status prints a run's progress and exits 0 once it has ended, 3
while rows are pending; collect waits for the run's end and writes what run writes (exit 0 or 1).

Options:
  --apply FILE          apply file: .js .cjs .mjs .ts .mts .cts exporting apply(row, context), or
                        .py defining apply(row) or app_func(row) (EEGUnity's con_func/app_func)
  --python PATH         the interpreter for a .py apply file (default: env LOCATOR_BATCH_PYTHON,
                        else python3, else python on PATH); it needs pandas
  --mode MODE           ${MODES.join(' | ')}   (default: the file's defaults, else sequential)
  --workers N           processes (process) or rows in flight (async); N <= 0 runs sequentially
                        (default: the file's defaults, else CPU cores - 1)
  --result TYPE         ${RESULT_TYPES.join(' | ')}   (default: the file's defaults, else value)
  --patch               keep skipped rows (series) / keep empty entries (value)
  --on-error POLICY     ${ERROR_POLICIES.join(' | ')}   (default: continue)
  --timeout MS          per-row time limit in milliseconds (process mode kills the row)
  --out FILE            .json: results and per-row status; .csv: the new locator (series) or the
                        locator with a result column (value)
  --column NAME         column for value results in a .csv --out (default: result)
  --journal FILE        where to journal finished rows (default: .locator-batch/ beside the locator)
  --no-journal          do not write a journal
  --resume JOURNAL      go on with an interrupted run: reuse the rows it finished, run the rest
                        (refused unless the journal is of this locator, apply file and result type)
  --rerun-failed JOURNAL  run again only the rows that failed or were cancelled in that run, e.g.
                        after fixing the apply file (refused unless the locator and result type match)
  --quiet               no progress or summary on stderr

Slurm (--mode slurm: the rows are split into shards, each one task of a job array running this CLI
on a compute node; --workers is then processes per task, default 1 = one row at a time):
  --shards N            tasks in the array (default: one per 100 rows, at most 1000)
  --throttle M          at most M tasks at once (sbatch --array=...%M)
  --sbatch-arg ARG      an sbatch argument, e.g. --sbatch-arg=--partition=short (repeatable)
  --setup LINE          a line the job script runs first, e.g. "module load nodejs" (repeatable)
  --runs-dir DIR        where run folders go (default: .locator-batch/runs beside the locator)
  --detach              submit and return: prints the job id, then the run folder as the last line
                        on stdout (follow it with status / collect); with no row to run, nothing
                        on stdout, the reason on stderr, exit 0
  -h, --help            this help
`;

class UsageError extends Error {}

/** Once rows run with a journal: the command that resumes from it (shown if the CLI fails unexpectedly). */
let afterRunStarts: { journal: string; command: string } | undefined;

interface CliArgs {
  command: 'run' | 'status' | 'collect';
  /** status / collect: the run folder. */
  runFolder?: string;
  locator: string;
  apply: string;
  settings: Partial<RunSettings>;
  out?: string;
  column: string;
  journal?: string | false;
  resume?: { journalFile: string; failedOnly: boolean };
  python?: string;
  quiet: boolean;
  slurm: SlurmChoice;
  detach: boolean;
  /** Hidden: run only these rows (a JSON array of indices in a file); what a Slurm task runs. */
  rowsFile?: string;
  /** Hidden: LOCATOR is a Slurm run's snapshot of this locator (apply's context.locatorPath). */
  locatorPath?: string;
}

export function parseArgs(argv: string[]): CliArgs | 'help' {
  if (argv.includes('-h') || argv.includes('--help') || argv.length === 0) return 'help';
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'status' && command !== 'collect') {
    throw new UsageError(`unknown command "${command}"; the commands are: run, status, collect`);
  }
  const args: Partial<CliArgs> = { command, settings: {}, column: 'result', quiet: false, slurm: {}, detach: false };
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? rest[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const integer = (v: string) => {
      if (!/^-?\d+$/.test(v)) throw new UsageError(`${flag} takes a whole number; got "${v}"`);
      return Number(v);
    };
    switch (flag) {
      case '--apply': args.apply = value(); break;
      case '--python': args.python = value(); break;
      case '--mode': args.settings!.mode = value() as RunSettings['mode']; break;
      case '--workers': args.settings!.workers = integer(value()); break;
      case '--result': args.settings!.resultType = value() as RunSettings['resultType']; break;
      case '--patch': args.settings!.isPatch = true; break;
      case '--on-error': args.settings!.onError = value() as RunSettings['onError']; break;
      case '--timeout': args.settings!.timeoutMs = integer(value()); break;
      case '--out': args.out = value(); break;
      case '--column': args.column = value(); break;
      case '--journal': args.journal = value(); break;
      case '--no-journal': args.journal = false; break;
      case '--resume': args.resume = { journalFile: value(), failedOnly: false }; break;
      case '--rerun-failed': args.resume = { journalFile: value(), failedOnly: true }; break;
      case '--quiet': args.quiet = true; break;
      case '--shards': args.slurm!.shards = integer(value()); break;
      case '--throttle': args.slurm!.throttle = integer(value()); break;
      case '--sbatch-arg': (args.slurm!.sbatchArgs ??= []).push(value()); break;
      case '--setup': (args.slurm!.setup ??= []).push(value()); break;
      case '--runs-dir': args.slurm!.runsDir = value(); break;
      case '--detach': args.detach = true; break;
      case '--rows': args.rowsFile = value(); break;
      case '--locator-path': args.locatorPath = value(); break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        positional.push(arg);
    }
  }
  if (command !== 'run') {
    if (positional.length !== 1) throw new UsageError(`${command} RUN_FOLDER: one run folder, please`);
    args.runFolder = positional[0];
  } else {
    if (positional.length !== 1) throw new UsageError(positional.length ? `one locator, please; got ${positional.join(' ')}` : 'which locator? run LOCATOR --apply FILE');
    if (!args.apply) throw new UsageError('--apply FILE is required');
    args.locator = positional[0];
    if (args.detach && args.settings!.mode !== 'slurm') throw new UsageError('--detach is for --mode slurm');
  }
  if (args.out && !/\.(json|csv)$/i.test(args.out)) throw new UsageError(`--out must end in .json or .csv; got ${args.out}`);
  return args as CliArgs;
}

async function main(argv: string[]): Promise<number> {
  let args: CliArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`locator-batch: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const quiet = args.quiet;
  const log = (s: string) => {
    if (!quiet) process.stderr.write(s + '\n');
  };
  if (args.command === 'status') return slurmStatus(args.runFolder!);
  if (args.command === 'collect') return slurmCollect(args.runFolder!, args, log, reportRun);
  let onlyRows: number[] | undefined;
  if (args.rowsFile) {
    try {
      onlyRows = JSON.parse(readFileSync(args.rowsFile, 'utf8'));
      if (!Array.isArray(onlyRows) || !onlyRows.every((i) => Number.isInteger(i))) throw new Error('not an array of row indices');
    } catch (err) {
      process.stderr.write(`locator-batch: --rows ${args.rowsFile}: ${(err as Error).message}\n`);
      return 2;
    }
  }

  // Everything that can be wrong with the input is refused before any row runs, nothing written.
  // A Slurm task reads the run's snapshot of the locator; apply sees the locator's own path.
  const snapshot = args.locatorPath ? path.resolve(args.locator) : undefined;
  const locatorPath = path.resolve(args.locatorPath ?? args.locator);
  let prepared: PreparedRun;
  try {
    prepared = await prepareRun({
      locatorPath,
      readLocator: () => readLocator(snapshot ?? locatorPath),
      locatorText: snapshot ? () => readFileSync(snapshot, 'utf8') : undefined,
      applyFile: args.apply,
      python: args.python,
      choice: args.settings,
      trusted: true,
      journalPath:
        args.journal === false ? undefined : (args.journal ?? path.join(path.dirname(locatorPath), '.locator-batch', journalFileName(locatorPath))),
      resume: args.resume,
      keepResultsBytes: keepResultsBytes(),
      slurm: args.slurm,
      onlyRows,
    });
    // Read leniently, as pandas reads it (a quote inside an unquoted field): say so, even with --quiet.
    for (const w of prepared.locator.warnings ?? []) process.stderr.write(`locator-batch: warning: ${locatorPath}: ${w.message}\n`);
    if (args.out && exportFormatOf(args.out) === 'csv' && prepared.resolved.settings.resultType === 'none') {
      throw new UsageError('--out FILE.csv needs --result series or value (result type none returns nothing)');
    }
  } catch (err) {
    if (!(err instanceof RunRefusal || err instanceof UsageError)) throw err;
    process.stderr.write(`locator-batch: ${err.message}\n`);
    return 2;
  }
  // The apply file is bundled: esbuild's service process has nothing more to do in this process.
  await stopBundler();
  const settings = prepared.resolved.settings;
  const journalPath = prepared.journalPath;
  if (args.detach) {
    const job = await submitDetached(prepared);
    if (!job) {
      // Nothing on stdout (no run folder to read), exit 0; the reason on stderr, even with --quiet.
      const why = prepared.locator.rows.length ? 'every row already has a result' : 'the locator has no rows';
      process.stderr.write(`locator-batch: nothing submitted: ${why}\n`);
      return 0;
    }
    process.stdout.write(`Submitted Slurm job ${job.jobId}\n${job.runFolder}\n`);
    return 0;
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130);
    log('\nCancelling: finished rows are kept (Ctrl+C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);

  const bar = process.stderr.isTTY && !args.quiet ? new ProgressBar() : undefined;
  log(
    `Running ${path.basename(prepared.applyFile)} on ${prepared.locator.rows.length} rows of ${args.locator}: ` +
      `${settings.mode}, ${settings.workers} worker(s), result ${settings.resultType}${settings.isPatch ? ', patch' : ''}` +
      (journalPath ? `\nJournal: ${journalPath}` : ''),
  );
  if (prepared.python) log(`Interpreter: ${describePython(prepared.python)}`);
  // From here on the journal holds every finished row: an unexpected error says how to get them back.
  if (journalPath) afterRunStarts = { journal: journalPath, command: recoveryCommand(argv, journalPath, args.out) };
  const run = await executeRun(prepared, {
    signal: controller.signal,
    keepResultsBytes: keepResultsBytes(),
    onProgress: bar ? (p) => bar.draw(p) : undefined,
    onSubmitted: (job) => {
      bar?.clear();
      log(`Submitted Slurm job ${job.jobId}; run folder: ${job.runFolder}`);
    },
    onSlurmState: slurmStateLogger(bar, log),
    // What the apply file prints goes to stderr, tagged with its row (stdout is the report's).
    onOutput: (o) => {
      bar?.clear();
      process.stderr.write(tagOutput(o));
    },
  });
  process.off('SIGINT', onSigint);
  bar?.clear();
  // A Slurm task: its journal is its output; failed rows are in it, so only a crash exits non-zero.
  if (onlyRows) return 0;
  return reportRun(run, args, log, {
    rerun: journalPath && `locator-batch run ${args.locator} --apply ${args.apply}${settings.mode === 'slurm' ? ' --mode slurm' : ''} --rerun-failed ${journalPath}`,
    recover: journalPath && `Results are in ${journalPath}; write them without running a row again:\n  ${recoveryCommand(argv, journalPath, args.out)}`,
  });
}

/**
 * Writes --out (or the JSON report on stdout), row by row, and logs the summary. The exit code: 0
 * every row succeeded, 1 not, 2 the results could not be written (`recover` says how to get them).
 */
export async function reportRun(
  run: FinishedRunLike,
  args: Pick<CliArgs, 'out' | 'column'>,
  log: (s: string) => void,
  hints: { rerun?: string; recover?: string } = {},
): Promise<number> {
  const { rerun } = hints;
  try {
    // Written row by row as it is made: a run's results can be larger than one string can hold.
    if (args.out) {
      await writeExport(run, args.out, args.column);
      log(`Wrote ${args.out}`);
    } else {
      // Without --out, results go to stdout as the JSON report, so the CLI composes with jq & co.
      await writeChunks(exportChunks(run, 'json', args.column), streamSink(process.stdout));
    }
  } catch (err) {
    // The rows ran and the journal holds them: say how to get them without running a row again.
    process.stderr.write(`locator-batch: the run finished but its results could not be written: ${(err as Error)?.message ?? err}\n`);
    process.stderr.write(hints.recover ? `${hints.recover}\n` : 'No journal was written (--no-journal), so the results are lost.\n');
    return 2;
  }

  const { outcome, summary } = run;
  const unfinished = unfinishedCount(outcome.counts);
  log(`${endText(outcome.endedBy, outcome.counts, outcome.elapsedMs)} · ${outcome.effectiveMode} mode`);
  if (summary.warning) log(`Warning: ${summary.warning}`);
  const failedRows = outcome.records.filter((r) => r.error && r.status !== 'cancelled');
  for (const rec of failedRows.slice(0, 10)) {
    const at = rec.error!.location ? ` (${rec.error!.location.file}:${rec.error!.location.line}:${rec.error!.location.column})` : '';
    log(`  row ${rec.index}: ${rec.status}: ${rec.error!.name}: ${rec.error!.message}${at}`);
  }
  if (failedRows.length > 10) log(`  ... and ${failedRows.length - 10} more; see the journal or --out FILE.json`);
  if (unfinished && rerun) log(`Re-run the rows without a result (after a fix, too): ${rerun}`);
  return unfinished || outcome.endedBy !== 'finished' ? 1 : 0;
}

/** The command that writes a finished run's results from its journal: the same arguments, resuming it. */
export function recoveryCommand(argv: readonly string[], journal: string, out = 'results.json'): string {
  const dropWithValue = new Set(['--out', '--resume', '--rerun-failed', '--journal']);
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].split('=')[0];
    if (dropWithValue.has(flag)) {
      if (!argv[i].includes('=')) i++;
    } else if (argv[i] !== '--no-journal') kept.push(argv[i]);
  }
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['locator-batch', ...kept, '--resume', journal, '--out', out].map(quote).join(' ');
}

/** LOCATOR_BATCH_KEEP_RESULTS_MB: results kept in memory (MB) before the rest are read back from the journal. */
function keepResultsBytes(): number | undefined {
  const mb = Number(process.env.LOCATOR_BATCH_KEEP_RESULTS_MB);
  return process.env.LOCATOR_BATCH_KEEP_RESULTS_MB && Number.isFinite(mb) && mb >= 0 ? mb * 2 ** 20 : undefined;
}

/** A Python apply file's output as the log shows it: each line tagged `[row 12]` (untagged when not known). */
function tagOutput(o: RowOutput): string {
  const tag = o.index === undefined ? '' : `[row ${o.index}] `;
  return o.text.replace(/\n$/, '').split('\n').map((line) => `${tag}${line}\n`).join('');
}

/** Slurm's task states on stderr when they change: "Slurm job 42: 2 pending, 4 running, 10 ended (1 failed)". */
function slurmStateLogger(bar: ProgressBar | undefined, log: (s: string) => void): (s: SlurmStateSummary) => void {
  let last = '';
  return (s) => {
    const line = slurmStateText(s);
    if (line === last) return;
    last = line;
    bar?.clear();
    log(line);
  };
}

class ProgressBar {
  private last = '';
  draw(p: RunProgress): void {
    const width = 28;
    const frac = p.total ? p.finished / p.total : 1;
    const filled = Math.round(frac * width);
    const left = p.rowsPerSecond > 0 ? (p.total - p.finished) / p.rowsPerSecond : 0;
    const failed = failedCount(p);
    const line =
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.finished}/${p.total} ${Math.floor(frac * 100)}% ` +
      `${p.rowsPerSecond.toFixed(0)} rows/s${failed ? `, ${failed} failed` : ''}, ${left.toFixed(0)} s left`;
    if (line !== this.last) process.stderr.write(`\r${line}\x1b[K`);
    this.last = line;
  }
  clear(): void {
    process.stderr.write('\r\x1b[K');
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      // sbatch refused the job (a bad --sbatch-arg, more shards than MaxArraySize): its own words.
      if ((err as Error)?.name === 'SlurmCommandError') process.stderr.write(`locator-batch: ${(err as Error).message}\n`);
      else process.stderr.write(`locator-batch: unexpected error: ${(err as Error)?.stack ?? err}\n`);
      if (afterRunStarts && existsSync(afterRunStarts.journal)) {
        process.stderr.write(`The rows that finished are in ${afterRunStarts.journal}; go on from them (no finished row runs again):\n  ${afterRunStarts.command}\n`);
      }
      process.exitCode = 2;
    },
  );
}
