// The EDF test-fixture writer (./edfWriter.ts), checked by the reader that matters: MNE's
// read_raw_edf, in the tests' Python (Debian's /usr/bin/python3 with python3-mne).
import * as assert from 'assert/strict';
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { edfBytes, edfTolerance, writeEdf, type EdfRecording } from './edfWriter';
import { testPython } from './pythonHelpers';

interface MneRead {
  sfreq: number;
  chNames: string[];
  shape: [number, number];
  units: string[];
  microvolts: number[][];
  nTimes: number;
}

/** What MNE makes of an EDF file: read_raw_edf(preload=True), data back in µV. */
function readWithMne(file: string): MneRead {
  const python = testPython();
  const script = `
import json, sys
import mne
raw = mne.io.read_raw_edf(sys.argv[1], preload=True, verbose='error')
data = raw.get_data()
print(json.dumps({
    'sfreq': float(raw.info['sfreq']), 'chNames': raw.ch_names, 'shape': [int(d) for d in data.shape], 'nTimes': int(raw.n_times),
    'units': [str(ch['unit']) for ch in raw.info['chs']],
    'microvolts': (data * 1e6).tolist(),
}))
`;
  const r = spawnSync(python, ['-c', script, file], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(`MNE could not read ${file} with ${python}: ${r.stderr}${/No module named 'mne'/.test(r.stderr) ? ' (run bash scripts/setup-python.sh)' : ''}`);
  }
  return JSON.parse(r.stdout);
}

/** A few channels of plausible EEG in µV: each its own amplitude and offset, one flat. */
function recording(seconds: number, sfreq: number): EdfRecording {
  const channels = ['Fp1', 'Cz', 'O2', 'EOG-left', 'flat'];
  const n = Math.round(seconds * sfreq);
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 4;
  const data = channels.map((name, c) => {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / sfreq;
      x[i] = name === 'flat' ? 3.25 : (c + 1) * 15 * Math.sin(2 * Math.PI * (6 + 2 * c) * t) + 10 * c - 12 + noise();
    }
    return x;
  });
  return { channels, sfreq, data };
}

describe('EDF test-fixture writer, read back by MNE', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'edf-writer-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("MNE's read_raw_edf reads its shape, rate, channel names and samples (within half a quantisation step)", () => {
    const rec = recording(3, 256);
    const file = path.join(dir, 'three-seconds.edf');
    writeEdf(file, rec);
    const bytes = readFileSync(file);
    // The fixed-width header (256 bytes + 256 per signal), then 3 records × 5 signals × 256 int16.
    assert.equal(bytes.subarray(184, 192).toString('ascii').trim(), String(256 * 6));
    assert.equal(bytes.length, 256 * 6 + 3 * 5 * 256 * 2);

    const got = readWithMne(file);
    assert.equal(got.sfreq, 256);
    assert.deepEqual(got.chNames, rec.channels);
    assert.deepEqual(got.shape, [5, 768]);
    assert.ok(got.units.every((u) => /V/.test(u)), `units ${got.units}`);
    const tolerance = edfTolerance(rec);
    rec.channels.forEach((name, c) => {
      let worst = 0;
      for (let i = 0; i < 768; i++) worst = Math.max(worst, Math.abs(got.microvolts[c][i] - rec.data[c][i]));
      assert.ok(worst <= tolerance[c] * 1.001 + 1e-9, `${name}: off by ${worst} µV, tolerance ${tolerance[c]}`);
    });
    // The flat channel stays flat at its value.
    assert.ok(got.microvolts[4].every((v) => Math.abs(v - 3.25) < 1e-3));
  });

  it('pads the last data record: MNE reads whole records, the written samples first', () => {
    const rec = { ...recording(2.5, 200), recordSeconds: 1 };
    const file = path.join(dir, 'padded.edf');
    writeEdf(file, rec);
    const got = readWithMne(file);
    assert.equal(got.nTimes, 600, 'three whole records of 200 samples');
    const tolerance = edfTolerance(rec);
    for (let i = 0; i < 500; i++) assert.ok(Math.abs(got.microvolts[1][i] - rec.data[1][i]) <= tolerance[1] * 1.001 + 1e-9, `sample ${i}`);
  });

  it('refuses what EDF cannot hold instead of writing a file readers misread', () => {
    const rec = recording(1, 100);
    assert.throws(() => edfBytes({ ...rec, channels: ['a channel label over 16', ...rec.channels.slice(1)] }), /label is longer than 16/);
    assert.throws(() => edfBytes({ ...rec, sfreq: 100.5 }), /whole number of samples/);
    assert.throws(() => edfBytes({ ...rec, data: rec.data.map((x, c) => (c === 2 ? Float64Array.from(x, (v, i) => (i === 7 ? NaN : v)) : x)) }), /finite; sample 7/);
  });
});
