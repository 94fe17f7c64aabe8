// A large locator open in the editor: what its parsed rows cost the extension host's memory.
import { strict as assert } from 'node:assert';
import * as v8 from 'v8';
import * as vm from 'vm';
import { parseLocator, stringifyLocator, type Locator } from '../../src/core/locator';

// Plain JS, shared with the VS Code benchmark's big.locator.csv: rows shaped like EEGUnity's locators.
const { eegunityLocatorText: eegunityLocator } = require('../../../bench/fixtures/eegunityLocator.js') as { eegunityLocatorText(rows: number): string };

/** A full collection, from a test run without --expose-gc. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) gc();
}

function heapUsedMb(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 1e6;
}

describe('a large locator in memory', function () {
  this.timeout(120_000);

  it('holds 50k EEGUnity rows (~12.8 MB of CSV) in under 16 MB once parsed: repeated cells are kept once', async () => {
    const rows = 50_000;
    let text: string | undefined = eegunityLocator(rows);
    const bytes = text.length;
    let locator: Locator | undefined = await parseLocator(text);
    assert.ok(stringifyLocator(locator) === text, 'the rows write back byte for byte');
    text = undefined;
    const before = heapUsedMb();
    const cellsHeld = locator.rows.length;
    locator = undefined;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rowsMb = before - heapUsedMb();
    assert.equal(cellsHeld, rows);
    // One string per cell took ~28 MB here (2.2x the CSV); each repeated value kept once, ~12 MB.
    assert.ok(rowsMb < 16, `the parsed rows of ${(bytes / 1e6).toFixed(1)} MB of CSV take ${rowsMb.toFixed(1)} MB`);
  });
});
