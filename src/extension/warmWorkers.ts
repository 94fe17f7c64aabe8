// Process mode's workers started before Run: when the run bar's settings say a run would use them
// (a locator editor opening, an apply file picked whose defaults say process, Run Batch... asking),
// the pool starts then, so the first run has the warm pool's fixed cost. Only in a trusted workspace
// (a Python worker imports the apply file's interpreter's pandas; a Node worker is ours, but Run is
// refused there anyway), and only while workers are kept (keepWorkersSeconds > 0): idle ones end then.
import * as vscode from 'vscode';
import { findPython } from '../core/python/interpreter';
import { isPythonApplyFile } from '../core/python/pythonApply';
import { warmPythonWorkers, warmWorkers } from '../core/run';
import type { RunSettingsView } from '../shared/protocol';
import { readConfig } from './config';
import { pythonInterpreterFor } from './pythonInterpreter';

/** Starts (or keeps) the workers a run with these settings would use; never waits, never fails. */
export function warmWorkersFor(uri: vscode.Uri, view: Pick<RunSettingsView, 'applyFile' | 'mode' | 'workers'>): void {
  if (!vscode.workspace.isTrusted || view.mode !== 'process' || view.workers <= 0) return;
  const keepMs = readConfig(uri).keepWorkersMs;
  if (keepMs <= 0) return;
  const warming =
    view.applyFile && isPythonApplyFile(view.applyFile)
      ? pythonInterpreterFor(uri).then((explicit) => findPython(explicit)).then((py) => warmPythonWorkers(py, view.workers, keepMs))
      : warmWorkers(view.workers, keepMs);
  // A missing interpreter or pandas is said when the user runs, not here.
  warming.catch(() => undefined);
}
