#!/usr/bin/env node
// Writes the demo workspace: small, real-looking EEG recordings in EEGUnity's csvData layout, a
// locator pointing at them, and apply files to copy. Plain Node (CommonJS, no build step).
//
//   node scripts/make-demo.js [OUT_DIR]        (default: demo/ at the repo root, git-ignored)
//
// Deterministic (a seeded PRNG: the same bytes every run, except the absolute paths in the
// locator, which name wherever OUT_DIR is) and idempotent (files are rewritten, stale recordings
// removed). The apply files and the demo README are copied from scripts/demo-template/.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { findMnePython } = require('./demoPython');

const REPO = path.resolve(__dirname, '..');
const TEMPLATE = path.join(__dirname, 'demo-template');
const OUT = path.resolve(process.argv[2] || path.join(REPO, 'demo'));
const DATA = path.join(OUT, 'data');
const FIF_DATA = path.join(DATA, 'fif');
const SEED = 20261125;

const LOCATOR_COLUMNS = [
  'File Path',
  'Domain Tag',
  'File Type',
  'Data Shape',
  'Channel Names',
  'Number of Channels',
  'Sampling Rate',
  'Duration',
  'Completeness Check',
];

// ---------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------

/** mulberry32: small, fast, and the same sequence on every platform. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare;
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    /** Standard normal (Box–Muller). */
    gauss() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The recordings
// ---------------------------------------------------------------------------------------------

const MONTAGES = {
  rest19: ['Fp1', 'Fp2', 'F7', 'F3', 'Fz', 'F4', 'F8', 'T7', 'C3', 'Cz', 'C4', 'T8', 'P7', 'P3', 'Pz', 'P4', 'P8', 'O1', 'O2'],
  mi8: ['FC3', 'FC4', 'C3', 'Cz', 'C4', 'CP3', 'CP4', 'Pz'],
  erp16: ['Fp1', 'Fp2', 'F3', 'Fz', 'F4', 'FC1', 'FC2', 'C3', 'Cz', 'C4', 'CP1', 'CP2', 'P3', 'Pz', 'P4', 'Oz'],
};

/**
 * What the locator lists. `file: false` -> the row's file is never written (deleted after parsing);
 * `drop` -> the file lacks that channel although the locator lists it (a stale locator);
 * `corrupt` -> the file is not readable data and the row looks like EEGUnity's failed read.
 */
function recordingPlan() {
  const plan = [];
  for (let s = 1; s <= 8; s++) {
    plan.push({
      name: `sub-0${s}_task-rest.csv`,
      domain: 'demo_rest',
      montage: 'rest19',
      sfreq: 250,
      seconds: [6, 6.4, 5.6, 6, 7, 6, 5.2, 6.8][s - 1],
      drop: s === 7 ? 'T8' : undefined,
    });
  }
  for (let s = 1; s <= 4; s++) {
    for (let run = 1; run <= 2; run++) {
      const short = s === 4 && run === 2; // the recording stopped early
      plan.push({
        name: `sub-0${s}_task-mi_run-${run}.csv`,
        domain: 'demo_mi',
        montage: 'mi8',
        sfreq: 256,
        seconds: short ? 1.2 : 5,
        completeness: short ? 'Unavailable' : 'Completed',
      });
    }
  }
  for (let s = 1; s <= 3; s++) {
    for (let run = 1; run <= 2; run++) {
      plan.push({
        name: `sub-0${s}_task-oddball_run-${run}.csv`,
        domain: 'demo_erp',
        montage: 'erp16',
        sfreq: 500,
        seconds: run === 1 ? 4.6 : 3.6,
        corrupt: s === 3 && run === 2,
      });
    }
  }
  plan.push({ name: 'sub-09_task-rest.csv', domain: 'demo_rest', montage: 'rest19', sfreq: 250, seconds: 6, file: false });
  return plan;
}

/** Python's float repr for the numbers we write: `250.0`, `5.996`, `4.99609375`. */
function pyFloat(x) {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** A plausible scalp signal in µV: background rhythms, 1/f-ish drift, line noise, and a few events. */
function synthesize(rec, rand) {
  const channels = MONTAGES[rec.montage];
  const n = Math.round(rec.seconds * rec.sfreq);
  const fs_ = rec.sfreq;
  const data = channels.map(() => new Float64Array(n));
  const alphaHz = rand.uniform(8.8, 11.2);
  const muHz = rand.uniform(9.5, 12.5);
  const lineHz = 50;
  const blinks = [];
  for (let t = rand.uniform(0.4, 1.5); t < rec.seconds - 0.3; t += rand.uniform(1.2, 3.0)) blinks.push(t);
  const stimuli = [];
  for (let t = 0.5; t < rec.seconds - 0.8; t += 1) stimuli.push(t + rand.uniform(-0.05, 0.05));

  channels.forEach((ch, c) => {
    const out = data[c];
    const posterior = /^(O|P|PO)/.test(ch) ? 1 : /^(CP|C|T)/.test(ch) ? 0.55 : 0.25;
    const central = /^(C|CP|FC)[34z]$/.test(ch) ? 1 : 0.2;
    const frontal = /^Fp/.test(ch) ? 1 : /^F[z0-9]/.test(ch) ? 0.3 : 0.05;
    const parietal = /^(Pz|CPz|Cz|P3|P4|CP1|CP2)$/.test(ch) ? 1 : 0.3;
    const alphaAmp = rand.uniform(6, 12) * (rec.domain === 'demo_rest' ? posterior : 0.4 * posterior);
    const muAmp = rec.domain === 'demo_mi' ? rand.uniform(5, 9) * central : 0;
    const thetaAmp = rand.uniform(1.5, 3.5);
    const betaAmp = rand.uniform(0.8, 2);
    const phase = [rand.uniform(0, 6.283), rand.uniform(0, 6.283), rand.uniform(0, 6.283), rand.uniform(0, 6.283)];
    const offset = rand.uniform(-15, 15);
    const lineAmp = rand.uniform(0.3, 2.5);
    let drift = 0;
    for (let i = 0; i < n; i++) {
      const t = i / fs_;
      drift = 0.985 * drift + 0.9 * rand.gauss();
      // Motor imagery: the mu rhythm weakens (desynchronises) in the second half of each trial.
      const erd = rec.domain === 'demo_mi' && t % 2.5 > 1.25 ? 0.45 : 1;
      let v =
        offset +
        alphaAmp * Math.sin(2 * Math.PI * alphaHz * t + phase[0]) +
        muAmp * erd * Math.sin(2 * Math.PI * muHz * t + phase[1]) +
        thetaAmp * Math.sin(2 * Math.PI * 6.1 * t + phase[2]) +
        betaAmp * Math.sin(2 * Math.PI * 21.3 * t + phase[3]) +
        lineAmp * Math.sin(2 * Math.PI * lineHz * t) +
        drift +
        1.8 * rand.gauss();
      for (const b of blinks) {
        const d = (t - b) / 0.08;
        if (d > -4 && d < 4) v += 90 * frontal * Math.exp(-0.5 * d * d);
      }
      if (rec.domain === 'demo_erp') {
        for (const s of stimuli) {
          const d = (t - s - 0.32) / 0.07; // a P300-like bump over parietal sites
          if (d > -4 && d < 4) v += 11 * parietal * Math.exp(-0.5 * d * d);
        }
      }
      out[i] = v;
    }
  });
  return { channels, n, data };
}

function csvText(channels, n, sfreq, data) {
  const lines = new Array(n + 1);
  lines[0] = ['Time', ...channels].join(',');
  const cells = new Array(channels.length + 1);
  for (let i = 0; i < n; i++) {
    cells[0] = String(i / sfreq);
    for (let c = 0; c < channels.length; c++) cells[c + 1] = data[c][i].toFixed(2);
    lines[i + 1] = cells.join(',');
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/** Writes only when the content changed, so a second run leaves modification times alone. */
function writeIfChanged(file, content) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    if (fs.readFileSync(file).equals(Buffer.from(content))) return false;
  } catch {
    // absent: write it
  }
  fs.writeFileSync(file, content);
  return true;
}

/** A CSV field the way pandas writes it: quoted only when it holds a comma, a quote or a line break. */
function csvField(s) {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function copyTree(from, to, written) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst, written);
    else if (writeIfChanged(dst, fs.readFileSync(src))) written.push(dst);
  }
}

/**
 * EEGUnity's example locator: from shared/ (named by LOCATOR_BATCH_SHARED, or beside the repo), else
 * the byte-for-byte copy the unit tests keep, so a clone anywhere has it.
 */
function findExampleLocator() {
  const candidates = [
    process.env.LOCATOR_BATCH_SHARED && path.join(process.env.LOCATOR_BATCH_SHARED, 'data/locators/example_locator.csv'),
    path.join(REPO, '..', 'shared', 'data', 'locators', 'example_locator.csv'),
    path.join(REPO, 'test', 'unit', 'fixtures', 'locators', 'example_locator.csv'),
  ].filter(Boolean);
  return candidates.find((p) => fs.existsSync(p));
}

function main() {
  const started = Date.now();
  const rand = prng(SEED);
  const written = [];
  const rows = [];
  const keep = new Set();
  const fifPlan = [];
  fs.mkdirSync(DATA, { recursive: true });

  for (const rec of recordingPlan()) {
    const file = path.join(DATA, rec.name);
    const { channels, n, data } = synthesize(rec, rand); // always drawn, so later files do not depend on earlier flags
    const listed = MONTAGES[rec.montage];
    let row;
    if (rec.corrupt) {
      // What a crashed export leaves behind; EEGUnity's parser fails on it and records the failure.
      const text = 'Time,Fp1,Fp2\n0.0,export aborted: amplifier disconnected,\n#### device buffer dump ####\n\u0000\u0000\u0000\n';
      if (writeIfChanged(file, text)) written.push(file);
      keep.add(rec.name);
      row = [file, rec.domain, 'unknown', 'error', '', '', 'nan', 'nan', 'Unavailable'];
    } else {
      const inFile = rec.drop ? channels.filter((c) => c !== rec.drop) : channels;
      const dataInFile = rec.drop ? data.filter((_, c) => channels[c] !== rec.drop) : data;
      if (rec.file !== false) {
        if (writeIfChanged(file, csvText(inFile, n, rec.sfreq, dataInFile))) written.push(file);
        keep.add(rec.name);
      }
      row = [
        file,
        rec.domain,
        'csvData',
        `(${listed.length}, ${n})`,
        listed.join(','),
        String(listed.length),
        pyFloat(rec.sfreq),
        pyFloat((n - 1) / rec.sfreq),
        rec.completeness || 'Completed',
      ];
    }
    rows.push(row);
    fifPlan.push({ rec, csv: file, csvWritten: written.includes(file), row });
  }

  // Recordings a previous version of this script wrote and this one does not.
  for (const name of fs.readdirSync(DATA)) {
    if (name.endsWith('.csv') && !keep.has(name)) fs.rmSync(path.join(DATA, name));
  }

  const locator = [LOCATOR_COLUMNS, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
  const locatorFile = path.join(OUT, 'demo.locator.csv');
  if (writeIfChanged(locatorFile, locator)) written.push(locatorFile);

  const fif = writeFifRecordings(fifPlan, written);

  const example = findExampleLocator();
  if (example) {
    if (writeIfChanged(path.join(OUT, 'example_locator.csv'), fs.readFileSync(example))) written.push(path.join(OUT, 'example_locator.csv'));
  } else {
    console.warn('make-demo: example_locator.csv not found (set LOCATOR_BATCH_SHARED to the shared/ folder); skipped');
  }

  copyTree(TEMPLATE, OUT, written);

  let bytes = 0;
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else bytes += fs.statSync(p).size;
    }
  };
  walk(OUT);
  console.log(
    `make-demo: ${path.relative(process.cwd(), OUT) || '.'}: ${rows.length} locator rows, ${keep.size} recordings, ` +
      `${(bytes / 1e6).toFixed(1)} MB, ${written.length} file(s) written, ${Date.now() - started} ms`,
  );
  console.log(`make-demo: ${fif}`);
}

/**
 * The same recordings as FIF files written by MNE (data/fif/, listed in fif.locator.csv, for the
 * Python apply files), when a Python with MNE is found; says so when it is not. A FIF file is
 * rewritten when its CSV was (MNE stamps each file it writes, so the bytes differ every time).
 */
function writeFifRecordings(plan, written) {
  const found = findMnePython();
  if (!found.python) {
    return (
      `no Python with MNE (tried ${found.tried.join(', ')}): no FIF recordings and no fif.locator.csv, so the ` +
      'Python apply files have nothing to read; run `bash scripts/setup-python.sh` (Debian: python3-mne), then this again'
    );
  }
  fs.mkdirSync(FIF_DATA, { recursive: true });
  const rows = [];
  const keep = new Set();
  const convert = [];
  for (const { rec, csv, csvWritten, row } of plan) {
    const name = rec.name.replace(/\.csv$/, '_raw.fif');
    const file = path.join(FIF_DATA, name);
    if (rec.corrupt) {
      if (writeIfChanged(file, 'export aborted: amplifier disconnected\n\u0000\u0000\u0000\n')) written.push(file);
      keep.add(name);
    } else if (rec.file !== false) {
      if (csvWritten || !fs.existsSync(file)) convert.push({ fif: file, csv, sfreq: rec.sfreq });
      keep.add(name);
    }
    rows.push([file, row[1], rec.corrupt ? 'unknown' : 'standard_data', ...row.slice(3)]);
  }
  if (convert.length) {
    const r = spawnSync(found.python, [path.join(__dirname, 'write_fif.py')], {
      input: JSON.stringify({ files: convert }),
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (r.status !== 0) throw new Error(`make-demo: writing FIF files with ${found.python} failed:\n${r.stderr}`);
    written.push(...convert.map((c) => c.fif));
  }
  for (const name of fs.readdirSync(FIF_DATA)) {
    if (!keep.has(name)) fs.rmSync(path.join(FIF_DATA, name));
  }
  const locator = [LOCATOR_COLUMNS, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
  const locatorFile = path.join(OUT, 'fif.locator.csv');
  if (writeIfChanged(locatorFile, locator)) written.push(locatorFile);
  return `fif.locator.csv: ${rows.length} rows, ${keep.size} FIF files (${convert.length} written with MNE ${found.mne}, ${found.python})`;
}

main();
