// Which Python runs a .py apply file in VS Code: the setting `locatorBatch.pythonInterpreter`; when
// empty, the Python extension's interpreter for the locator's workspace folder (its public
// environments API); else undefined, and the engine tries LOCATOR_BATCH_PYTHON, python3, python on PATH.
import * as vscode from 'vscode';
import { SECTION } from './config';

const PYTHON_EXTENSION_ID = 'ms-python.python';
// The Python extension may take a while to activate (it discovers environments): never hold a run up longer.
const PYTHON_EXTENSION_WAIT_MS = 10_000;

/** The parts of the Python extension's API used here (see @vscode/python-extension). */
interface PythonExtensionApi {
  ready?: Promise<void>;
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string } | undefined;
    resolveEnvironment(env: { id: string; path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
}

/** The interpreter setting for `scope` ('' when unset), trimmed. */
export function interpreterSetting(scope?: vscode.Uri): string {
  return (vscode.workspace.getConfiguration(SECTION, scope).get<string>('pythonInterpreter') ?? '').trim();
}

/** The interpreter to run .py apply files for `scope` with, or undefined to let the engine look on PATH. */
export async function pythonInterpreterFor(scope?: vscode.Uri): Promise<string | undefined> {
  const set = interpreterSetting(scope);
  if (set) return set;
  return withTimeout(pythonExtensionInterpreter(scope), PYTHON_EXTENSION_WAIT_MS).catch(() => undefined);
}

async function pythonExtensionInterpreter(scope?: vscode.Uri): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!ext) return undefined;
  const api = ext.isActive ? ext.exports : await ext.activate();
  await api?.ready;
  const environments = api?.environments;
  if (!environments) return undefined;
  const active = environments.getActiveEnvironmentPath(scope);
  if (!active) return undefined;
  const resolved = await environments.resolveEnvironment(active);
  return resolved?.executable?.uri?.fsPath || undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
