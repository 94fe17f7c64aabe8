// The one result encoding. Every mode passes what `apply` returned through `encodeResult`, so a
// value looks the same whichever mode made it, and a value that could not cross a process boundary
// fails its row in every mode, not only in `process` (where JSON would silently drop it).
import type { PlainValue, RowError } from './types';

export class ResultEncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultEncodingError';
  }
}

/**
 * Turns a returned value into plain data: JSON's types plus NaN, ±Infinity and -0.
 * - `undefined` at the top means "no result" (like Python's None) and encodes as `undefined`;
 *   inside an array it becomes `null`, as a property it is left out (as JSON does).
 * - Dates become ISO strings; typed arrays and Buffers become arrays of numbers; a Map with string
 *   keys becomes an object; a Set becomes an array; class instances keep their own enumerable
 *   properties (as structured clone does).
 * - Functions, symbols, BigInt and circular references throw a ResultEncodingError naming the path.
 */
export function encodeResult(value: unknown): PlainValue | undefined {
  if (value === undefined) return undefined;
  return encodeAt(value, 'result', new Set());
}

function encodeAt(value: unknown, path: string, ancestors: Set<object>): PlainValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'number':
      return value;
    case 'undefined':
      return null;
    case 'function':
      throw new ResultEncodingError(`${path} is a function; return data, not code`);
    case 'symbol':
      throw new ResultEncodingError(`${path} is a symbol, which cannot be stored; return a string instead`);
    case 'bigint':
      throw new ResultEncodingError(`${path} is a BigInt; return it as a string (value.toString()) or a number`);
  }
  if (value === null) return null;
  const obj = value as object;
  if (ancestors.has(obj)) throw new ResultEncodingError(`${path} refers back to itself (a circular structure)`);
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (ArrayBuffer.isView(obj)) {
    if (obj instanceof DataView) throw new ResultEncodingError(`${path} is a DataView; return an array of numbers`);
    const arr = obj as unknown as ArrayLike<number | bigint>;
    const out: number[] = new Array(arr.length);
    for (let i = 0; i < arr.length; i++) {
      const n = arr[i];
      if (typeof n === 'bigint') throw new ResultEncodingError(`${path} is a BigInt array; convert it to numbers`);
      out[i] = n;
    }
    return out;
  }
  if (obj instanceof RegExp) return obj.toString();
  if (obj instanceof Error) return obj.message;
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((item, i) => encodeAt(item, `${path}[${i}]`, ancestors));
    if (obj instanceof Set) return [...obj].map((item, i) => encodeAt(item, `${path}[${i}]`, ancestors));
    const out: { [key: string]: PlainValue } = {};
    if (obj instanceof Map) {
      for (const [key, item] of obj) {
        if (typeof key !== 'string') {
          throw new ResultEncodingError(`${path} is a Map with a non-string key; use an object with string keys`);
        }
        if (item !== undefined) out[key] = encodeAt(item, `${path}.${key}`, ancestors);
      }
      return out;
    }
    if (typeof (obj as { then?: unknown }).then === 'function') {
      throw new ResultEncodingError(`${path} is a Promise inside the result; await it before returning`);
    }
    for (const key of Object.keys(obj)) {
      const item = (obj as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = encodeAt(item, `${path}.${key}`, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(obj);
  }
}

/** Anything thrown, as plain data; `mapStack` rewrites bundle positions into the user's files. */
export function toRowError(thrown: unknown, phase: RowError['phase'], mapStack?: (stack: string) => string): RowError {
  if (thrown instanceof Error || (typeof thrown === 'object' && thrown !== null && 'message' in thrown)) {
    const e = thrown as Error & { code?: unknown };
    const out: RowError = { name: String(e.name || 'Error'), message: String(e.message ?? ''), phase };
    if (typeof e.stack === 'string') out.stack = mapStack ? mapStack(e.stack) : e.stack;
    if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
    return out;
  }
  // `throw 'text'` or `throw 42`: keep what was thrown as the message (workerpool would lose it).
  return { name: 'Error', message: typeof thrown === 'string' ? thrown : safeString(thrown), phase };
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** How a result shows in one CSV cell: strings as they are, nothing as empty, the rest as JSON. */
export function formatCell(value: PlainValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return stringifyPlain(value);
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** JSON that keeps NaN and ±Infinity readable instead of turning them into null. */
export function stringifyPlain(value: PlainValue | undefined, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? formatNumber(v) : v),
    indent,
  );
}
