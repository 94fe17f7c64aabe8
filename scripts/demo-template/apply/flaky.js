/**
 * flaky.js — checks each recording against its locator row, and fails the rows that do not match.
 *
 * It is here to show per-row errors: in EEGUnity the first exception ends the whole batch and
 * throws away every finished result; here each failing row gets its own error (message, stack,
 * your line) and the others finish. In demo.locator.csv three rows fail, each differently:
 *   - sub-09_task-rest.csv is listed but missing on disk (ENOENT),
 *   - sub-07_task-rest.csv lacks a channel its row lists (a stale locator),
 *   - sub-03_task-oddball_run-2.csv was a failed read (Sampling Rate `nan`).
 * Fix a cause (or edit the check) and re-run only the failed rows.
 *
 * Written as CommonJS (`exports.x = ...`) to show that style works too.
 */
const fs = require('fs');
const path = require('path');

exports.defaults = { mode: 'sequential', resultType: 'value', isPatch: true };

/**
 * @param {Record<string, string>} row
 * @param {{ index: number, signal: AbortSignal, locatorPath?: string }} context
 */
exports.apply = function apply(row, context) {
  const rate = Number(row['Sampling Rate']);
  if (!Number.isFinite(rate)) {
    throw new TypeError(`Sampling Rate is ${JSON.stringify(row['Sampling Rate'])}, not a number: EEGUnity could not read this file`);
  }
  const file = recordingPath(row, context);
  if (!fs.existsSync(file)) {
    const err = new Error(`recording not found: ${file}`);
    err.code = 'ENOENT';
    throw err;
  }
  const header = firstLine(file).split(',').slice(1); // drop the time column
  const listed = row['Channel Names'].split(/,\s*/);
  const missing = listed.filter((name) => !header.includes(name));
  if (missing.length) {
    throw new Error(
      `the locator lists ${listed.length} channels but ${path.basename(file)} has ${header.length}; missing: ${missing.join(', ')}`,
    );
  }
  return `ok: ${header.length} channels at ${rate} Hz`;
};

function firstLine(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, n).split(/\r?\n/)[0];
  } finally {
    fs.closeSync(fd);
  }
}

function recordingPath(row, context) {
  const p = row['File Path'];
  if (path.isAbsolute(p) || !context.locatorPath) return p;
  return path.resolve(path.dirname(context.locatorPath), p);
}
