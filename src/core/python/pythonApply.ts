// A .py apply file, checked before any row runs: the interpreter (found, >= 3.8, has pandas) and the
// file itself (imports, defines apply or app_func). The worker that checked it stays warm for the run.
import { existsSync } from 'fs';
import * as path from 'path';
import { ApplyModuleError } from '../applyModule';
import type { ApplyDefaults, RowError, SourceLocation } from '../types';
import { findPython, type PythonInterpreter } from './interpreter';
import { keepPythonWorkers, startPythonWorkers } from './pythonPool';

export const PYTHON_APPLY_EXTENSIONS = ['.py'] as const;

export function isPythonApplyFile(file: string): boolean {
  return PYTHON_APPLY_EXTENSIONS.some((ext) => file.toLowerCase().endsWith(ext));
}

export interface PythonApply {
  language: 'python';
  /** The user's file, absolute. */
  file: string;
  defaults: ApplyDefaults;
  hasCondition: boolean;
  interpreter: PythonInterpreter;
  pandasVersion: string;
  env?: NodeJS.ProcessEnv;
}

export interface PythonLoadOptions {
  /** An interpreter path (setting / --python); else env LOCATOR_BATCH_PYTHON, else python3, python on PATH. */
  python?: string;
  env?: NodeJS.ProcessEnv;
}

/** The checking worker is kept this long at least, so the run that follows starts at once. */
const KEEP_AFTER_CHECK_MS = 15_000;

let checks = 0;

/**
 * Finds the interpreter and imports the apply file in a worker. Throws PythonSetupError (the
 * interpreter cannot run apply files) or ApplyModuleError (the file is broken: file and line).
 */
export async function loadPythonApplyFile(file: string, options: PythonLoadOptions = {}): Promise<PythonApply> {
  file = path.resolve(file);
  if (!isPythonApplyFile(file)) throw new ApplyModuleError(`Apply file ${file} is not a Python file (.py)`, file);
  if (!existsSync(file)) throw new ApplyModuleError(`Apply file not found: ${file}`, file);
  const env = options.env ?? process.env;
  const interpreter = await findPython(options.python, env);
  const { workers, hello } = await startPythonWorkers(interpreter, 1, env);
  let reply;
  try {
    reply = await workers[0].request({ op: 'load', run: `check-${++checks}`, file }, ['loaded', 'loadError']);
  } finally {
    keepPythonWorkers(workers, KEEP_AFTER_CHECK_MS);
  }
  if (reply.op === 'loadError') throw pythonLoadError(file, reply.error as RowError);
  return {
    language: 'python',
    file,
    defaults: normalizeDefaults(reply.defaults),
    hasCondition: Boolean(reply.hasCondition),
    interpreter,
    pandasVersion: hello.pandas ?? '',
    env: options.env,
  };
}

/** For the Output channel / CLI log: `Python 3.11.2 (/usr/bin/python3, from LOCATOR_BATCH_PYTHON), pandas 1.5.3`. */
export function describePython(apply: Pick<PythonApply, 'interpreter' | 'pandasVersion'>): string {
  const py = apply.interpreter;
  const from = py.source === 'env' ? ', from LOCATOR_BATCH_PYTHON' : py.source === 'PATH' ? ', found on PATH' : '';
  const where = py.executable && py.executable !== py.command ? `${py.command} -> ${py.executable}` : py.command;
  return `Python ${py.version} (${where}${from}), pandas ${apply.pandasVersion}`;
}

/** A worker's load error as the engine's ApplyModuleError: `file:line: Name: message`. */
export function pythonLoadError(file: string, error: RowError): ApplyModuleError {
  const loc: SourceLocation | undefined = error.location;
  const where = loc ? `${loc.file}:${loc.line}` : file;
  const what = error.name === 'LoadError' ? error.message : `loading the apply file failed: ${error.name}: ${error.message}`;
  const err = new ApplyModuleError(`${where}: ${what}`, file, loc);
  if (error.stack) err.stack = `${err.message}\n${error.stack}`;
  return err;
}

/** `defaults` with the JS keys or their snake_case spellings (`result_type`, `is_patch`). */
export function normalizeDefaults(raw: unknown): ApplyDefaults {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const d = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const pick = (key: keyof ApplyDefaults, ...names: string[]) => {
    for (const name of names) if (name in d) return void (out[key] = d[name]);
  };
  pick('mode', 'mode', 'execution_mode');
  pick('workers', 'workers', 'num_workers');
  pick('resultType', 'resultType', 'result_type');
  pick('isPatch', 'isPatch', 'is_patch');
  // EEGUnity's own spellings: execution_mode 'thread' is async here, None sequential; result_type None is none.
  if (out.mode === 'thread') out.mode = 'async';
  if ('mode' in out && out.mode === null) out.mode = 'sequential';
  if ('resultType' in out && out.resultType === null) out.resultType = 'none';
  return out as ApplyDefaults;
}
