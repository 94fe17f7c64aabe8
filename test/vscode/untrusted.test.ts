// Run in a host started WITHOUT --disable-workspace-trust: locators can be viewed, never run.
import * as assert from 'assert/strict';
import * as vscode from 'vscode';
import { engineWorkerPids, makeFixture } from './fixtures';

describe('Locator Batch in an untrusted workspace', () => {
  it('refuses to run and says why', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite needs an untrusted workspace');
    const fx = makeFixture(3);
    try {
      const marker = `${fx.dir}/ran.txt`;
      const applyFile = fx.apply('side-effect.js', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');\nexports.apply = () => 1;\n`);
      const result = await vscode.commands.executeCommand<{ refused?: string }>('locatorBatch.runBatch', fx.locator, {
        applyFile,
        mode: 'sequential',
        showResults: false,
      });
      assert.match(result?.refused ?? '', /trusted workspace/);
      assert.equal(require('fs').existsSync(marker), false, 'the apply file was never loaded');
    } finally {
      fx.cleanup();
    }
  });

  it('still opens a locator in the locator editor', async () => {
    const fx = makeFixture(3);
    try {
      await vscode.commands.executeCommand('vscode.openWith', fx.locator, 'locatorBatch.locatorEditor');
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      assert.ok(tab?.input instanceof vscode.TabInputCustom);
      assert.equal((tab.input as vscode.TabInputCustom).viewType, 'locatorBatch.locatorEditor');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fx.cleanup();
    }
  });

  it('starts no worker when a locator opens with process mode chosen', async () => {
    const config = vscode.workspace.getConfiguration('locatorBatch');
    await config.update('defaultMode', 'process', vscode.ConfigurationTarget.Global);
    const fx = makeFixture(3);
    try {
      await vscode.commands.executeCommand('vscode.openWith', fx.locator, 'locatorBatch.locatorEditor');
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepEqual(engineWorkerPids(), [], 'no worker process in an untrusted workspace');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await config.update('defaultMode', undefined, vscode.ConfigurationTarget.Global);
      fx.cleanup();
    }
  });
});
