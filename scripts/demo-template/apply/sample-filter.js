/**
 * sample-filter.js — keep only the recordings fit for analysis (EEGUnity's `sample_filter`).
 *
 * The work is in `condition`: it picks the rows; `apply` returns each picked row unchanged. With
 * result type `series` and isPatch false, the result is a NEW locator holding only the picked rows
 * (rows that were not picked are dropped). Nothing reads the files, so `sequential` is fastest.
 *
 * Change the thresholds below to taste.
 */

const MIN_CHANNELS = 16;
const MIN_SAMPLING_RATE = 250; // Hz
const MIN_DURATION = 4; // seconds
const DOMAINS = null; // e.g. ['demo_rest', 'demo_erp'] to keep only those domains

/** @typedef {Record<string, string>} Row  every cell of a locator is a string */

/** @param {Row} row */
export function condition(row) {
  if (row['Completeness Check'] !== 'Completed') return false;
  if (DOMAINS && !DOMAINS.includes(row['Domain Tag'])) return false;
  // Cells are text: "19", "250.0", "5.996". A failed read has "nan", which compares false below.
  return (
    Number(row['Number of Channels']) >= MIN_CHANNELS &&
    Number(row['Sampling Rate']) >= MIN_SAMPLING_RATE &&
    Number(row['Duration']) >= MIN_DURATION
  );
}

/** @param {Row} row */
export function apply(row) {
  return row;
}

export const defaults = { mode: 'sequential', resultType: 'series', isPatch: false };
