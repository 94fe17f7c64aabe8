// The extension's settings (`locatorBatch.*`), read fresh at each use so changes apply at once.
import * as os from 'os';
import * as vscode from 'vscode';
import type { ErrorPolicy, Mode, ResultType } from '../core/types';

export const SECTION = 'locatorBatch';

export interface BatchConfig {
  mode: Mode;
  /** Processes in process mode. */
  workers: number;
  /** Rows in flight in async mode. */
  asyncConcurrency: number;
  resultType: ResultType;
  onError: ErrorPolicy;
  timeoutMs: number;
  /** Process mode: how long workers stay after a run for the next one. */
  keepWorkersMs: number;
  /** Folder for journals and exports; empty means the extension's workspace storage. */
  outputDirectory: string;
}

export function defaultWorkers(): number {
  return Math.max(1, os.cpus().length - 1);
}

export function readConfig(scope?: vscode.Uri): BatchConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const workers = c.get<number | null>('workers', null);
  return {
    mode: c.get<Mode>('defaultMode', 'sequential'),
    workers: typeof workers === 'number' && workers > 0 ? Math.floor(workers) : defaultWorkers(),
    asyncConcurrency: Math.max(1, Math.floor(c.get<number>('asyncConcurrency', 32))),
    resultType: c.get<ResultType>('defaultResultType', 'value'),
    onError: c.get<ErrorPolicy>('errorPolicy', 'continue'),
    timeoutMs: Math.max(0, c.get<number>('timeoutMs', 0)),
    keepWorkersMs: Math.max(0, c.get<number>('keepWorkersSeconds', 300)) * 1000,
    outputDirectory: c.get<string>('outputDirectory', ''),
  };
}

/** Workers to offer for a mode: async counts rows in flight, process counts processes. */
export function workersFor(mode: Mode, config: BatchConfig): number {
  return mode === 'async' ? config.asyncConcurrency : config.workers;
}
