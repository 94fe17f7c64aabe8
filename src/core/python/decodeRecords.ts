// Row records as the Python worker sends them, back into the engine's RowRecord. NaN and ±inf
// travel apart (JSON cannot hold them) as paths into the value, and are put back here.
import type { PlainValue, RowError, RowRecord } from '../types';

/** [path, code]: code 0 NaN, 1 +Infinity, 2 -Infinity. */
type Special = [Array<string | number>, 0 | 1 | 2];
/** [index, ms, kind, payload?, specials?]: kind 0 no result, 1 a value, 2 an error. */
export type WireRecord = [number, number, 0 | 1 | 2, unknown?, Special[]?];

const SPECIAL_NUMBERS = [NaN, Infinity, -Infinity];

export function restoreSpecials(value: PlainValue, specials: readonly Special[]): PlainValue {
  for (const [where, code] of specials) {
    const n = SPECIAL_NUMBERS[code];
    if (!where.length) {
      value = n;
      continue;
    }
    let parent = value as Record<string | number, PlainValue>;
    for (let k = 0; k < where.length - 1; k++) parent = parent[where[k]] as Record<string | number, PlainValue>;
    parent[where[where.length - 1]] = n;
  }
  return value;
}

export function decodeRecord(wire: WireRecord): RowRecord {
  const [index, durationMs, kind, payload, specials] = wire;
  if (kind === 2) return { index, status: 'error', error: payload as RowError, durationMs };
  const rec: RowRecord = { index, status: 'done', durationMs };
  if (kind === 1) rec.value = specials ? restoreSpecials(payload as PlainValue, specials) : (payload as PlainValue);
  return rec;
}
