// Run settings, resolved once for every front end. Layers, each over the one before:
//   1. built-ins            (sequential, CPU cores - 1 workers, value, no patch, continue, no limit)
//   2. the user's settings  (VS Code's `locatorBatch.*`; nothing for the CLI)
//   3. the apply file's `defaults` (how its author meant it to run)
//   4. the user's choice    (the run bar, the palette's questions, the CLI's flags)
// Every resolved value says which layer it came from, so the run bar can tell the user.
import * as os from 'os';
import { validateSettings, type RunSettings } from '../core/run';
import type { UserSlurmSettings } from './slurm';
import type { ApplyDefaults, ErrorPolicy, Mode, ResultType } from '../core/types';

/** The settings a layer can set. `workers` means processes in process mode, rows in flight in async. */
export type SettingKey = 'mode' | 'workers' | 'resultType' | 'isPatch' | 'onError' | 'timeoutMs';
export const SETTING_KEYS: readonly SettingKey[] = ['mode', 'workers', 'resultType', 'isPatch', 'onError', 'timeoutMs'];

/** The user's settings (layer 2): what VS Code's configuration says. */
export interface UserSettings {
  mode?: Mode;
  /** Processes in process mode. */
  workers?: number;
  /** Rows in flight in async mode. */
  asyncConcurrency?: number;
  resultType?: ResultType;
  onError?: ErrorPolicy;
  timeoutMs?: number;
  /** `locatorBatch.slurm.sbatchArgs` / `.setup` (see ./slurm.ts). */
  slurm?: UserSlurmSettings;
}

export type SettingSource =
  | { layer: 'built-in' }
  | { layer: 'settings' }
  | { layer: 'apply file'; file: string }
  | { layer: 'choice' };

export interface ResolvedSettings {
  settings: RunSettings;
  sources: Record<SettingKey, SettingSource>;
}

export interface SettingLayers {
  user?: UserSettings;
  /** The apply file's `defaults`, and the file they came from. */
  applyDefaults?: { file: string; defaults: ApplyDefaults };
  choice?: Partial<RunSettings>;
}

export function defaultWorkers(): number {
  return Math.max(1, os.cpus().length - 1);
}

/** Rows in flight in async mode unless a setting says otherwise (an I/O-bound run's sweet spot here). */
export const DEFAULT_ASYNC_CONCURRENCY = 32;

/** The workers a mode gets from the built-ins and the user's settings: async counts rows in flight, process counts processes. */
export function workersFor(mode: Mode, user: UserSettings = {}): number {
  // Slurm: processes per task on the compute node; one (rows one at a time) unless chosen.
  if (mode === 'slurm') return 1;
  return mode === 'async' ? (user.asyncConcurrency ?? DEFAULT_ASYNC_CONCURRENCY) : (user.workers ?? defaultWorkers());
}

/**
 * The settings of a run: each key from the highest layer that sets it. `workers` follows the mode:
 * a layer's workers count only when that layer (or one above it) also chose the mode, or set
 * workers itself, so an apply file that asks for process mode gets process workers, not the async
 * concurrency of the settings below it. Throws a plain Error naming a bad value (see validateSettings).
 */
export function resolveSettings(layers: SettingLayers): ResolvedSettings {
  const builtIn: RunSettings = { mode: 'sequential', workers: 0, resultType: 'value', isPatch: false, onError: 'continue', timeoutMs: 0 };
  const user = layers.user ?? {};
  const { workers: _processWorkers, asyncConcurrency: _async, slurm: _slurm, ...userPlain } = user;
  const applied: [SettingSource, Partial<RunSettings>][] = [
    [{ layer: 'built-in' }, builtIn],
    [{ layer: 'settings' }, userPlain],
  ];
  if (layers.applyDefaults) applied.push([{ layer: 'apply file', file: layers.applyDefaults.file }, layers.applyDefaults.defaults]);
  if (layers.choice) applied.push([{ layer: 'choice' }, layers.choice]);

  const settings = { ...builtIn };
  const sources = {} as Record<SettingKey, SettingSource>;
  for (const [source, values] of applied) {
    for (const key of SETTING_KEYS) {
      const v = values[key];
      if (v === undefined) continue;
      (settings as Record<SettingKey, unknown>)[key] = v;
      sources[key] = source;
    }
  }
  // Workers: set by a layer at or above the one that chose the mode, else what the mode gets from
  // the user's settings (or the built-ins).
  const modeRank = applied.findIndex(([s]) => s === sources.mode);
  const workersRank = sources.workers.layer === 'built-in' ? 0 : applied.findIndex(([s]) => s === sources.workers);
  if (sources.workers.layer === 'built-in' || workersRank < modeRank) {
    settings.workers = workersFor(settings.mode, user);
    const fromUser = settings.mode === 'async' ? user.asyncConcurrency : user.workers;
    sources.workers = fromUser !== undefined ? { layer: 'settings' } : { layer: 'built-in' };
  }
  validateSettings(settings);
  return { settings, sources };
}

/** Where a value came from, in words for a tooltip or a log line: "from apply/mean-std.ts". */
export function describeSource(source: SettingSource, relative: (file: string) => string = (f) => f): string {
  switch (source.layer) {
    case 'built-in':
      return 'built-in default';
    case 'settings':
      return 'from your settings';
    case 'apply file':
      return `from ${relative(source.file)}`;
    case 'choice':
      return 'your choice';
  }
}
