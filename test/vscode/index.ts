// Runs inside the real extension host (VS Code, or code-server's): mocha over this folder's suites.
// LOCATOR_BATCH_SUITE=untrusted picks the Workspace Trust suite, which needs a host started untrusted.
// The run fails when a suite file listed in test/harness/suites.js is missing or a suite file ran
// no test; the tests run per file are printed on one LB_TEST_COUNTS line for test/harness/runAll.js.
import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';

interface Counts {
  passed: number;
  failed: number;
  pending: number;
}

interface Suites {
  missingSuiteFiles(run: string, exists: (p: string) => boolean): Array<{ file: string; message: string }>;
  unlistedSuiteFiles(run: string, present: string[]): string[];
  suiteProblems(o: { run: string; counts: Record<string, Counts>; missing: Array<{ file: string; message: string }> }): string[];
  formatTestCounts(counts: Record<string, Counts>): string;
}

const REPO = path.resolve(__dirname, '../../..');
// Plain JS shared with the harness (outside this TypeScript project): compiled here to out/test/vscode/.
const suites = require(path.join(REPO, 'test/harness/suites.js')) as Suites;

/** The file a test (or a failed hook) was defined in, by its base name. */
function fileOf(r: Mocha.Runnable): string | undefined {
  for (let x: Mocha.Runnable | Mocha.Suite | undefined = r; x; x = x.parent) if (x.file) return path.basename(x.file);
  return undefined;
}

export function run(): Promise<void> {
  const untrusted = process.env.LOCATOR_BATCH_SUITE === 'untrusted';
  const runName = untrusted ? 'vscode-untrusted' : 'vscode';
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false });
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && f.startsWith('untrusted.') === untrusted).sort();
  const counts: Record<string, Counts> = {};
  for (const file of files) {
    counts[file] = { passed: 0, failed: 0, pending: 0 };
    mocha.addFile(path.join(__dirname, file));
  }
  const missing = suites.missingSuiteFiles(runName, (p) => fs.existsSync(path.join(REPO, p)));
  for (const f of suites.unlistedSuiteFiles(runName, files)) console.warn(`[suites] ${f} runs but is not listed in test/harness/suites.js: list it`);
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(suites.formatTestCounts(counts));
      const problems = suites.suiteProblems({ run: runName, counts, missing });
      for (const p of problems) console.error(`[suites] ${p}`);
      if (failures || problems.length) reject(new Error([failures ? `${failures} test(s) failed` : '', ...problems].filter(Boolean).join('; ')));
      else resolve();
    });
    const bump = (key: keyof Counts) => (t: Mocha.Runnable) => {
      const f = fileOf(t);
      if (f) (counts[f] ??= { passed: 0, failed: 0, pending: 0 })[key]++;
    };
    runner.on('pass', bump('passed'));
    runner.on('fail', bump('failed'));
    runner.on('pending', bump('pending'));
  });
}
