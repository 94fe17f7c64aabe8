// The extension's settings (`locatorBatch.*`), read fresh at each use so changes apply at once.
// The run settings among them are layer 2 of src/session/settings.ts; the rest are the extension's own.
import * as vscode from 'vscode';
import type { ErrorPolicy, Mode, ResultType } from '../core/types';
import type { UserSettings } from '../session/settings';

export const SECTION = 'locatorBatch';

export interface ExtensionConfig {
  /** The run settings the user set (only those they set: the built-ins live in the session). */
  user: UserSettings;
  /** Process mode: how long workers stay after a run for the next one. */
  keepWorkersMs: number;
  /** Folder for journals (and Slurm run folders); empty means the extension's workspace storage (run folders: beside the locator). */
  outputDirectory: string;
}

export function readConfig(scope?: vscode.Uri): ExtensionConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  // Only what the user set (in any scope): a value left at its default is the built-in's, and the
  // run bar says so.
  const set = <T>(key: string): T | undefined => {
    const i = c.inspect<T>(key);
    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  };
  const whole = (v: number | null | undefined, min: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.max(min, Math.floor(v)) : undefined);
  const positive = (v: number | null | undefined) => (typeof v === 'number' && v >= 1 ? Math.floor(v) : undefined);
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : []);
  const workers = set<number | null>('workers');
  return {
    user: {
      mode: set<Mode>('defaultMode'),
      workers: typeof workers === 'number' && workers > 0 ? Math.floor(workers) : undefined,
      asyncConcurrency: whole(set<number>('asyncConcurrency'), 1),
      resultType: set<ResultType>('defaultResultType'),
      onError: set<ErrorPolicy>('errorPolicy'),
      timeoutMs: whole(set<number>('timeoutMs'), 0),
      slurm: {
        sbatchArgs: strings(c.get<unknown>('slurm.sbatchArgs')),
        setup: strings(c.get<unknown>('slurm.setup')),
        // 0 (the default) leaves the choice to the engine.
        shards: positive(set<number>('slurm.shards')),
        throttle: positive(set<number>('slurm.throttle')),
      },
    },
    // A window setting (the pool serves every locator): read without a resource, as VS Code asks.
    keepWorkersMs: Math.max(0, vscode.workspace.getConfiguration(SECTION).get<number>('keepWorkersSeconds', 300)) * 1000,
    outputDirectory: c.get<string>('outputDirectory', ''),
  };
}
