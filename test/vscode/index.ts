// Runs inside the real extension host (VS Code, or code-server's): mocha over this folder's suites.
// LOCATOR_BATCH_SUITE=untrusted picks the Workspace Trust suite, which needs a host started untrusted.
import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';

export function run(): Promise<void> {
  const untrusted = process.env.LOCATOR_BATCH_SUITE === 'untrusted';
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false });
  for (const file of fs.readdirSync(__dirname)) {
    if (!file.endsWith('.test.js')) continue;
    if (file.startsWith('untrusted.') !== untrusted) continue;
    mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
