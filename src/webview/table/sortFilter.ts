// Sorting and filtering the VIEW: an array of row indices. The locator itself is never touched.
// No DOM here (unit tested).
import type { Model } from '../model';
import { STATUS } from '../format';

export type SortDir = 'asc' | 'desc';
export interface SortSpec {
  key: string;
  dir: SortDir;
}

/** Column keys: 'status', 'result', or 'c<index>' for locator column <index>. */
export function dataColumnKey(index: number): string {
  return `c${index}`;
}

export function dataColumnIndex(key: string): number {
  return key.startsWith('c') ? Number(key.slice(1)) : -1;
}

/** Returns the text of a column for a row: what the filter searches and what copy puts out. */
export function columnText(model: Model, key: string): (i: number) => string {
  if (key === 'status') return (i) => model.statusOf(i) ?? '';
  if (key === 'result') return (i) => model.resultText(i);
  const c = dataColumnIndex(key);
  return (i) => model.cell(i, c);
}

const NUMBER = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** Natural sort key: case-folded, digit runs zero-padded so "S2" < "S10". */
export function naturalKey(s: string): string {
  return s.toLowerCase().replace(/\d+/g, (d) => (d.length < 16 ? d.padStart(16, '0') : d));
}

/** Sort keys of one column for every row, kept between sorts (asc, then desc, then a filter). */
export interface SortKeys {
  key: string;
  version: number;
  /** Numbers (NaN when the value is text). */
  num: Float64Array;
  /** Natural sort keys of text values. */
  str: (string | undefined)[];
  /** 1 for blank values and rows not received yet: these always sort last. */
  blank: Uint8Array;
}

/**
 * Row indices to show, in order, or null for "every row in file order" (the cheap common case).
 * Rows not received yet are left out by a filter and put last by a sort.
 */
export function computeView(
  model: Model,
  sort: SortSpec | undefined,
  filter: string,
  keys: string[],
  cache?: { keys?: SortKeys },
): Int32Array | null {
  const q = filter.trim().toLowerCase();
  if (!sort && !q) return null;
  const n = model.rowCount;
  let idx: number[] = [];
  if (q) {
    const getters = keys.map((k) => columnText(model, k));
    for (let i = 0; i < n; i++) {
      if (!model.rows[i]) continue;
      for (const g of getters) {
        const v = g(i);
        if (v && v.toLowerCase().includes(q)) {
          idx.push(i);
          break;
        }
      }
    }
  } else {
    idx = new Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
  }
  if (sort) {
    const version = sort.key === 'status' || sort.key === 'result' ? model.resultsVersion * 1e6 + model.rowsVersion : model.rowsVersion;
    let k = cache?.keys;
    if (!k || k.key !== sort.key || k.version !== version || k.num.length !== n) {
      k = sortKeys(model, sort.key, version);
      if (cache) cache.keys = k;
    }
    sortIndices(idx, k, sort.dir === 'asc' ? 1 : -1);
  }
  return Int32Array.from(idx);
}

export function sortKeys(model: Model, key: string, version: number): SortKeys {
  const n = model.rowCount;
  const num = new Float64Array(n);
  const str: (string | undefined)[] = new Array(n);
  const blank = new Uint8Array(n);
  if (key === 'status') {
    for (let i = 0; i < n; i++) {
      const s = model.statusOf(i);
      if (s) num[i] = STATUS[s].order;
      else blank[i] = 1;
    }
  } else {
    const get = columnText(model, key);
    const needsRow = key !== 'result';
    for (let i = 0; i < n; i++) {
      const v = needsRow && !model.rows[i] ? '' : get(i);
      if (v === '') blank[i] = 1;
      else if (NUMBER.test(v)) num[i] = Number(v);
      else {
        num[i] = NaN;
        str[i] = naturalKey(v);
      }
    }
  }
  return { key, version, num, str, blank };
}

function sortIndices(idx: number[], k: SortKeys, sign: number): void {
  const { num, str, blank } = k;
  // Numbers sort before text; blanks (and rows not received yet) always last; ties keep file order.
  idx.sort((a, b) => {
    const ba = blank[a];
    const bb = blank[b];
    if (ba || bb) return ba - bb || a - b;
    const na = num[a];
    const nb = num[b];
    const ta = na === na; // not NaN: a number
    const tb = nb === nb;
    if (ta && tb) return (na - nb) * sign || a - b;
    if (ta !== tb) return (ta ? -1 : 1) * sign;
    const sa = str[a]!;
    const sb = str[b]!;
    return (sa < sb ? -1 : sa > sb ? 1 : 0) * sign || a - b;
  });
}
