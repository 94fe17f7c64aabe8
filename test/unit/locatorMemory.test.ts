// A large locator open in the editor: what its parsed rows cost the extension host's memory.
import { strict as assert } from 'node:assert';
import * as v8 from 'v8';
import * as vm from 'vm';
import { parseLocator, stringifyLocator, type Locator } from '../../src/core/locator';

const CHANNELS = 'Fz, FC3, FC1, FCz, FC2, FC4, C5, C3, C1, Cz, C2, C4, C6, CP3, CP1, CPz, CP2, CP4, P1, POz, Pz, P2, EOG-left, EOG-central, EOG-right';

/** Rows shaped like EEGUnity's locators (25 channels, ~256 bytes a row), as the VS Code benchmark's big.locator.csv. */
function eegunityLocator(rows: number): string {
  const lines = ['File Path,Domain Tag,File Type,Data Shape,Channel Names,Number of Channels,Sampling Rate,Duration,Completeness Check'];
  for (let i = 0; i < rows; i++) {
    const s = String(i).padStart(6, '0');
    lines.push(
      `/data/eegunity/bcic_iv_2a/sub-${s}/A${s}E_raw.fif,bcic_iv_2a,standard_data,"(25, ${600000 + ((i * 7919) % 100000)})",` +
        `"${CHANNELS}",25,250.0,${(2400 + ((i * 31) % 400)).toFixed(3)},Completed`,
    );
  }
  return lines.join('\n') + '\n';
}

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
