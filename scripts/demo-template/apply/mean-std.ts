/**
 * mean-std.ts — per-channel mean and standard deviation of each recording (EEGUnity's
 * `process_mean_std`, which fills the `MEAN STD` column).
 *
 * CPU-bound: parsing the samples and summing them keeps a core busy, so run it in `process` mode
 * (one worker process per core). The result is an object like EEGUnity's
 * `{"all_eeg": [mean, std], "Fp1": [mean, std], ...}` (µV); written back, the cell holds it as JSON.
 *
 * Reads EEGUnity's `csvData` layout: a header, a time column, then one numeric column per channel.
 * Other file types (.fif, .edf, .mat, ...) fail their row with a clear message. A file that holds
 * no numbers fails its row too.
 */
import { readFileSync } from 'fs';
import * as path from 'path';

type Row = Record<string, string>;
interface Context {
  index: number;
  signal: AbortSignal;
  locatorPath?: string;
}

export const defaults = { mode: 'process', resultType: 'value', isPatch: true, workers: 2 };

/** Only rows EEGUnity could read; the others would fail anyway. */
export function condition(row: Row): boolean {
  return row['Data Shape'] !== 'error';
}

export function apply(row: Row, context: Context): Record<string, [number, number]> {
  if (row['File Type'] !== 'csvData') {
    throw new Error(`this example reads csvData files only; row ${context.index} is ${row['File Type'] || 'of no type'}`);
  }
  const file = recordingPath(row, context);
  const { channels, columns } = readCsvData(file);
  const result: Record<string, [number, number]> = {};
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  const stats: Array<[string, number, number]> = [];
  channels.forEach((name, c) => {
    const x = columns[c];
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i];
    const mean = s / x.length;
    let ss = 0;
    for (let i = 0; i < x.length; i++) ss += (x[i] - mean) * (x[i] - mean);
    stats.push([name, mean, Math.sqrt(ss / x.length)]); // population std, as numpy's np.std
    n += x.length;
    sum += s;
    sumSq += ss + x.length * mean * mean;
  });
  const allMean = sum / n;
  result.all_eeg = [round(allMean), round(Math.sqrt(Math.max(0, sumSq / n - allMean * allMean)))];
  for (const [name, mean, std] of stats) result[name] = [round(mean), round(std)];
  return result;
}

/** Channel names from the header and one Float64Array per channel (the time column left out). */
function readCsvData(file: string): { channels: string[]; columns: Float64Array[] } {
  const text = readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const header = lines[0].split(',').map((h) => h.trim());
  const first = /^(time|times|timestamp|t)$/i.test(header[0]) ? 1 : 0;
  const channels = header.slice(first);
  const n = lines.length - 1;
  if (n < 1 || channels.length === 0) throw new Error(`${path.basename(file)} holds no samples`);
  const columns = channels.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1].split(',');
    for (let c = 0; c < channels.length; c++) {
      const v = Number(cells[c + first]);
      if (!Number.isFinite(v)) {
        throw new Error(
          `${path.basename(file)}, line ${i + 2}, channel ${channels[c]}: ${JSON.stringify(cells[c + first] ?? '')} is not a number`,
        );
      }
      columns[c][i] = v;
    }
  }
  return { channels, columns };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function recordingPath(row: Row, context: Context): string {
  const p = row['File Path'];
  if (path.isAbsolute(p) || !context.locatorPath) return p;
  return path.resolve(path.dirname(context.locatorPath), p);
}
