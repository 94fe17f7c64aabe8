// What a user sees of a run outside the webviews: a cancellable progress notification, a status bar
// item with the live count, the "Locator Batch" output channel, and error messages with links.
import * as path from 'path';
import * as vscode from 'vscode';
import type { RowOutput, RunOutcome, RunSettings } from '../core/run';
import { failedCount, unfinishedCount, type RowRecord, type RunProgress, type SourceLocation } from '../core/types';
import type { RunRefusal } from '../session/refusal';
import type { RunSummaryView } from '../shared/protocol';
import { endText, slurmStateText } from '../shared/summary';
import type { SlurmStateSummary } from '../core/slurm';

import { COMMANDS } from './contributions';

export { COMMANDS };

export interface RunLog {
  row(rec: RowRecord): void;
  progress(p: RunProgress): void;
  /** What a Python apply file printed: logged tagged with its row (`[row 12] ...`), batched and capped. */
  output(o: RowOutput): void;
  ended(outcome: RunOutcome, summary: RunSummaryView): void;
  failed(err: Error): void;
  /** Slurm mode: the job array was submitted. */
  submitted(job: { jobId: string; runFolder: string }): void;
  /** Slurm mode: the tasks' states (logged when they change, shown in the progress notification). */
  slurm(state: SlurmStateSummary): void;
}

export interface RunStart {
  locator: vscode.Uri;
  applyFile: string;
  settings: RunSettings;
  total: number;
  toRun: number;
  journalPath?: string;
  /** A Python apply file's interpreter and pandas version (describePython), logged at the start. */
  python?: string;
  /** A run that outlived its window, re-attached (e.g. "Slurm job 42 (run folder ...)"). */
  attachedTo?: string;
  cancel(): void;
  /** The view the run was started from: while it shows the run's end, no notification repeats its summary. */
  shownIn?: () => boolean;
}

// Errors listed one by one in the output channel before a run's log says "and N more".
const MAX_LOGGED_ERRORS = 200;
// Lines of a Python apply file's output logged per run before the log says how many more there were.
const MAX_LOGGED_OUTPUT_LINES = 2000;
// Output lines are gathered and logged as one entry at most this often (100k printing rows, one entry each, bury the log).
const OUTPUT_FLUSH_MS = 200;

export class RunReporter implements vscode.Disposable {
  private channel?: vscode.LogOutputChannel;
  /** The "Locator Batch" output channel, made on first use: the extension starts in every window. */
  get output(): vscode.LogOutputChannel {
    return (this.channel ??= vscode.window.createOutputChannel('Locator Batch', { log: true }));
  }
  private readonly status = vscode.window.createStatusBarItem('locatorBatch.status', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.status.name = 'Locator Batch';
    this.status.command = COMMANDS.showResults;
  }

  startRun(start: RunStart): RunLog {
    const name = path.basename(start.locator.fsPath);
    const s = start.settings;
    this.output.info(
      (start.attachedTo ? `Re-attached to ${start.attachedTo}, a run of ${start.locator.fsPath}` : `Run started on ${start.locator.fsPath}`) +
        `: ${start.toRun} of ${start.total} rows, apply ${start.applyFile}, ` +
        `mode ${s.mode}, workers ${s.workers}, result ${s.resultType}${s.isPatch ? ' (patch)' : ''}, ` +
        `on error ${s.onError}${s.timeoutMs ? `, timeout ${s.timeoutMs} ms` : ''}` +
        (start.journalPath ? `\n  journal: ${start.journalPath}` : '') +
        (start.python ? `\n  interpreter: ${start.python}` : ''),
    );
    const output = new OutputBatcher((text) => this.output.info(text));
    let errorsLogged = 0;
    let last: RunProgress | undefined;
    let slurmLine = '';
    let reportProgress: ((p: RunProgress) => void) | undefined;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const showStatus = (text: string, tooltip: string) => {
      this.status.text = text;
      this.status.tooltip = tooltip;
      this.status.show();
    };
    showStatus(`$(sync~spin) ${name} 0/${start.total}`, 'Locator Batch run: click to show the results');

    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Locator Batch: ${name}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => start.cancel());
        let reported = 0;
        reportProgress = (p) => {
          const pct = p.total ? (p.finished / p.total) * 100 : 100;
          progress.report({
            increment: pct - reported,
            message:
              `${p.finished}/${p.total} rows, ${p.rowsPerSecond.toFixed(0)} rows/s${failedCount(p) ? `, ${failedCount(p)} failed` : ''}` +
              (slurmLine ? ` · ${slurmLine}` : ''),
          });
          reported = pct;
        };
        if (last) reportProgress(last);
        await done;
      },
    );

    return {
      row: (rec) => {
        if (!rec.error || rec.status === 'cancelled') return;
        if (errorsLogged++ < MAX_LOGGED_ERRORS) this.output.error(`row ${rec.index}: ${rec.status}: ${describeError(rec.error)}`);
      },
      progress: (p) => {
        last = p;
        reportProgress?.(p);
        showStatus(`$(sync~spin) ${name} ${p.finished}/${p.total}`, 'Locator Batch run: click to show the results');
      },
      output: (o) => output.add(o),
      submitted: (job) => this.output.info(`Submitted Slurm job ${job.jobId}; run folder: ${job.runFolder}`),
      slurm: (state) => {
        const line = slurmStateText(state);
        if (line === slurmLine) return;
        slurmLine = line;
        this.output.info(line);
        if (last) reportProgress?.(last);
      },
      ended: (outcome, summary) => {
        finish();
        output.end();
        const c = outcome.counts;
        if (errorsLogged > MAX_LOGGED_ERRORS) this.output.error(`... and ${errorsLogged - MAX_LOGGED_ERRORS} more failed rows`);
        const line = `${name}: ${endText(outcome.endedBy, c, outcome.elapsedMs)} · ${outcome.effectiveMode} mode`;
        this.output.info(line + (summary.warning ? `\n  warning: ${summary.warning}` : ''));
        const unfinished = unfinishedCount(c);
        const icon = unfinished ? '$(warning)' : '$(check)';
        showStatus(`${icon} ${name} ${c.done + c.skipped}/${c.total}`, `Locator Batch: ${line}. Click to show the results.`);
        // The editor the run started from shows this summary itself: no notification over it.
        if (start.shownIn?.()) return;
        const actions = unfinished ? ['Show Results', 'Re-run Failed Rows', 'Show Log'] : ['Show Results'];
        const show = unfinished ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
        void show(`Locator Batch: ${line}`, ...actions).then((choice) => {
          if (choice === 'Show Results') void vscode.commands.executeCommand(COMMANDS.showResults, start.locator);
          if (choice === 'Re-run Failed Rows') void vscode.commands.executeCommand(COMMANDS.rerunFailed, start.locator);
          if (choice === 'Show Log') this.output.show(true);
        });
      },
      failed: (err) => {
        finish();
        output.end();
        this.status.hide();
        this.output.error(`Run failed: ${err.stack ?? err.message}`);
        void vscode.window.showErrorMessage(`Locator Batch: the run failed: ${err.message}`);
      },
    };
  }

  /**
   * A refusal from the session, shown the VS Code way: trust with a button to manage it, a bad
   * locator or apply file with a button that opens it at the line, a state of things as information.
   */
  showRefusal(refusal: RunRefusal): void {
    if (refusal.kind === 'untrusted') {
      void this.refuseUntrusted();
      return;
    }
    if (refusal.informational) {
      void vscode.window.showInformationMessage(`Locator Batch: ${refusal.message}`);
      return;
    }
    this.output.warn(refusal.message);
    if (refusal.kind === 'no-python') {
      void this.refuseNoPython(refusal.message);
      return;
    }
    const location = refusal.location?.file ? refusal.location : undefined;
    const open = location ? `Open ${path.basename(location.file)}:${location.line}` : undefined;
    const show = location ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(`Locator Batch: ${refusal.message}`, ...(open ? [open] : [])).then((choice) => {
      if (choice && location) void openLocation(location);
    });
  }

  /** No interpreter that can run .py apply files: the message names it and what to install; the button opens the setting. */
  private async refuseNoPython(message: string): Promise<void> {
    const open = 'Open Settings';
    const choice = await vscode.window.showErrorMessage(`Locator Batch: ${message}`, open);
    if (choice === open) await vscode.commands.executeCommand('workbench.action.openSettings', PYTHON_INTERPRETER_SETTING);
  }

  private async refuseUntrusted(): Promise<void> {
    const manage = 'Manage Workspace Trust';
    const choice = await vscode.window.showErrorMessage(
      'Locator Batch: running an apply file runs code from this workspace, so it needs a trusted workspace. ' +
        'Viewing locators works without trust. To run, trust this folder.',
      manage,
    );
    if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  }

  dispose(): void {
    this.channel?.dispose();
    this.status.dispose();
  }
}

export const PYTHON_INTERPRETER_SETTING = 'locatorBatch.pythonInterpreter';

/**
 * A run's printed output for the log: lines tagged `[row N]`, gathered into one log entry per
 * OUTPUT_FLUSH_MS, the first MAX_LOGGED_OUTPUT_LINES of them, then a count of the rest.
 */
class OutputBatcher {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lines = 0;

  constructor(private readonly write: (text: string) => void) {}

  add(o: RowOutput): void {
    for (const line of tagOutput(o)) {
      if (this.lines++ < MAX_LOGGED_OUTPUT_LINES) this.pending.push(line);
    }
    this.timer ??= setTimeout(() => this.flush(), OUTPUT_FLUSH_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length) this.write(`output:\n${this.pending.join('\n')}`);
    this.pending = [];
  }

  end(): void {
    this.flush();
    if (this.lines > MAX_LOGGED_OUTPUT_LINES) {
      this.write(`... and ${this.lines - MAX_LOGGED_OUTPUT_LINES} more lines of output (${this.lines} in all) not shown`);
    }
  }
}

/** A Python apply file's output as lines tagged `[row 12]` (untagged when the row is not known). */
export function tagOutput(o: RowOutput): string[] {
  const tag = o.index === undefined ? '' : `[row ${o.index}] `;
  return o.text.replace(/\n$/, '').split('\n').map((line) => `${tag}${line}`);
}

export function describeError(e: NonNullable<RowRecord['error']>): string {
  const at = e.location ? ` (${e.location.file}:${e.location.line}:${e.location.column})` : '';
  return `${e.name}: ${e.message}${at}`;
}

export async function openLocation(loc: SourceLocation): Promise<void> {
  const pos = new vscode.Position(Math.max(0, loc.line - 1), Math.max(0, loc.column - 1));
  await vscode.window.showTextDocument(vscode.Uri.file(loc.file), { selection: new vscode.Range(pos, pos), preview: false });
}
