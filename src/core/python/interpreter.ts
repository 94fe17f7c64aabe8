// Which Python runs a .py apply file, and whether it can: an explicit path (setting, --python), else
// env LOCATOR_BATCH_PYTHON, else `python3` then `python` on PATH. A missing interpreter, a Python
// older than 3.8 or one without pandas is refused before the first row, naming the interpreter.
import { execFile } from 'child_process';
import { accessSync, constants, statSync } from 'fs';
import * as path from 'path';

export const MIN_PYTHON: readonly [number, number] = [3, 8];
export const PYTHON_ENV = 'LOCATOR_BATCH_PYTHON';

export interface PythonInterpreter {
  /** What was asked for or found: a path, or a name found on PATH. */
  command: string;
  /** Where it came from, for the log. */
  source: 'explicit' | 'env' | 'PATH';
  /** sys.executable as the interpreter reports it (a pyenv shim resolves to the real one). */
  executable: string;
  version: string;
}

/** The interpreter cannot run apply files. The message names it and what to do. */
export class PythonSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PythonSetupError';
  }
}

const HOW_TO_CHOOSE = `choose one with the setting locatorBatch.pythonInterpreter, the CLI's --python PATH or env ${PYTHON_ENV}`;

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The command to run, without starting it. Throws when nothing is found. */
export function chooseInterpreter(explicit?: string, env: NodeJS.ProcessEnv = process.env): Pick<PythonInterpreter, 'command' | 'source'> {
  if (explicit && explicit.trim()) return { command: explicit.trim(), source: 'explicit' };
  const fromEnv = env[PYTHON_ENV]?.trim();
  if (fromEnv) return { command: fromEnv, source: 'env' };
  for (const name of ['python3', 'python']) {
    const found = onPath(name, env);
    if (found) return { command: found, source: 'PATH' };
  }
  throw new PythonSetupError(`No Python interpreter found: neither python3 nor python is on PATH; install Python 3.8 or later with pandas, or ${HOW_TO_CHOOSE}`);
}

// Old Pythons must be able to parse this (no f-strings), so the refusal can name their version.
const PROBE = 'import sys; sys.stdout.write("%s\\n%d.%d.%d\\n" % ((sys.executable,) + tuple(sys.version_info[:3])))';

/**
 * Finds the interpreter and checks its version (a bare start, ~20 ms; pandas is checked by the
 * worker as it starts, see pythonPool).
 */
export async function findPython(explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<PythonInterpreter> {
  const chosen = chooseInterpreter(explicit, env);
  const where = chosen.source === 'env' ? ` (from ${PYTHON_ENV})` : chosen.source === 'explicit' ? '' : ' (found on PATH)';
  const out = await new Promise<string>((resolve, reject) => {
    execFile(chosen.command, ['-c', PROBE], { env, timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES') {
        reject(new PythonSetupError(`Python interpreter ${chosen.command}${where} not found or not executable; ${HOW_TO_CHOOSE}`));
      } else {
        reject(new PythonSetupError(`Python interpreter ${chosen.command}${where} does not start: ${(stderr || err.message).trim()}`));
      }
    });
  });
  const [executable, version] = out.trim().split('\n');
  const [major, minor] = (version ?? '').split('.').map(Number);
  if (!(major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]))) {
    throw new PythonSetupError(
      `Python interpreter ${chosen.command}${where} is Python ${version || '(unknown version)'}; apply files need Python ${MIN_PYTHON.join('.')} or later with pandas: ${HOW_TO_CHOOSE}`,
    );
  }
  return { ...chosen, executable: executable || chosen.command, version };
}

/** The refusal when the interpreter has no (working) pandas. */
export function noPandasError(py: PythonInterpreter, detail: string): PythonSetupError {
  const name = py.command === py.executable ? py.command : `${py.command} (${py.executable})`;
  return new PythonSetupError(
    `Python interpreter ${name}, Python ${py.version}, cannot import pandas (${detail}); apply files get pandas rows, so install it: ` +
      `\`${py.command} -m pip install pandas\` (Debian/Ubuntu's own python3: \`apt install python3-pandas\`), or ${HOW_TO_CHOOSE}`,
  );
}
